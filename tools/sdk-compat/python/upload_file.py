"""Uploads one file with Tencent's Python SDK to a running `vodraw emulator` (only where requests go is changed).

Usage: python3 upload_file.py EMULATOR_JSON FILE CONCURRENCY   (CONCURRENCY: ConcurrentUploadNumber, or `default`)
"""
import json
import sys

import emulator_redirect
from qcloud_vod import vod_upload_client
from qcloud_vod.model import VodUploadRequest

banner = json.load(open(sys.argv[1]))
emulator_redirect.redirect(banner)

client = vod_upload_client.VodUploadClient(banner["secretId"], banner["secretKey"])
request = VodUploadRequest()
request.MediaFilePath = sys.argv[2]
if sys.argv[3] != "default":
    request.ConcurrentUploadNumber = int(sys.argv[3])
print(client.upload("ap-guangzhou", request).FileId)
