"""Uploads with Tencent's official Python SDK (vod-python-sdk, tencentcloud-sdk-python, cos-python-sdk-v5) to a
running `vodraw emulator`, changing only where requests go: the SDKs themselves are used unchanged.

Usage: python3 upload.py EMULATOR_JSON_FILE KIND   (KIND: simple | cover | multipart | temporary | hls)
"""
import json
import os
import sys
import tempfile

import emulator_redirect
from qcloud_vod import vod_upload_client
from qcloud_vod.model import VodUploadRequest

banner = json.load(open(sys.argv[1]))
kind = sys.argv[2] if len(sys.argv) > 2 else "simple"
emulator_redirect.redirect(banner)

folder = tempfile.mkdtemp(prefix="vodraw-python-")


def make_file(name, size):
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(bytes((i * 7919) & 0xFF for i in range(size)))
    return path


credential = banner["temporaryCredential"] if kind == "temporary" else banner
client = vod_upload_client.VodUploadClient(credential["secretId"], credential["secretKey"], credential.get("token"))
request = VodUploadRequest()
if kind == "hls":
    for i in range(3):
        make_file("s%d.ts" % i, 200 * 1024)
    playlist = os.path.join(folder, "index.m3u8")
    with open(playlist, "w") as f:
        f.write("#EXTM3U\n#EXT-X-TARGETDURATION:4\n" + "".join("#EXTINF:4.0,\ns%d.ts\n" % i for i in range(3)) + "#EXT-X-ENDLIST\n")
    request.MediaFilePath = playlist
else:
    # 30 MiB: over cos-python-sdk-v5's multipart threshold (20 MiB), so it lists uploads, initiates, sends parts, completes.
    request.MediaFilePath = make_file("media.mp4", 30 * 1024 * 1024 if kind == "multipart" else 300 * 1024)
if kind == "cover":
    request.CoverFilePath = make_file("cover.png", 20 * 1024)

try:
    response = client.upload("ap-guangzhou", request)
except Exception as e:  # the SDKs' own exception types; print them as one line
    print("%s: %s: %s" % (kind, type(e).__name__, e), file=sys.stderr)
    sys.exit(1)
print("%s: %s" % (kind, json.dumps({"FileId": response.FileId, "MediaUrl": response.MediaUrl, "CoverUrl": response.CoverUrl})))
