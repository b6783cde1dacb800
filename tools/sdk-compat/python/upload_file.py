"""Uploads one file with Tencent's Python SDK to a running `vodraw emulator` (only where requests go is changed).

Usage: python3 upload_file.py EMULATOR_JSON FILE CONCURRENCY   (CONCURRENCY: ConcurrentUploadNumber, or `default`)
"""
import json
import sys
from urllib.parse import urlparse

from qcloud_cos import CosConfig
from qcloud_vod import vod_upload_client
from qcloud_vod.model import VodUploadRequest
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.vod.v20180717 import vod_client

banner = json.load(open(sys.argv[1]))
vod_host = urlparse(banner["vodEndpoint"]).netloc
cos_host = urlparse(banner["cosEndpoint"].replace("{bucket}", "")).netloc


class EmulatorVodClient(vod_client.VodClient):
    def __init__(self, credential, region, profile=None):
        super().__init__(credential, region, ClientProfile(httpProfile=HttpProfile(endpoint=vod_host, protocol="http")))


vod_upload_client.vod_client.VodClient = EmulatorVodClient
vod_upload_client.CosConfig = lambda **kwargs: CosConfig(Scheme="http", Proxies={"http": "http://" + cos_host}, **kwargs)

client = vod_upload_client.VodUploadClient(banner["secretId"], banner["secretKey"])
request = VodUploadRequest()
request.MediaFilePath = sys.argv[2]
if sys.argv[3] != "default":
    request.ConcurrentUploadNumber = int(sys.argv[3])
print(client.upload("ap-guangzhou", request).FileId)
