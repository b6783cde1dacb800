"""Points Tencent's Python upload SDK at a running `vodraw emulator`, changing only where requests go."""
from urllib.parse import urlparse

from qcloud_cos import CosConfig
from qcloud_vod import vod_upload_client
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.vod.v20180717 import vod_client


def redirect(banner):
    """banner: the emulator's --json output, parsed."""
    vod_host = urlparse(banner["vodEndpoint"]).netloc
    cos_host = urlparse(banner["cosEndpoint"].replace("{bucket}", "")).netloc

    class EmulatorVodClient(vod_client.VodClient):
        """The VOD API client pointed at the emulator over http (TC3-HMAC-SHA256, the SDK's default)."""

        def __init__(self, credential, region, profile=None):
            super().__init__(credential, region, ClientProfile(httpProfile=HttpProfile(endpoint=vod_host, protocol="http")))

    def emulator_cos_config(**kwargs):
        """The COS client keeps its virtual-host URLs ({bucket}.cos.{region}.myqcloud.com) over http and sends them
        through the emulator as an HTTP proxy (the SDK has no path style; the emulator reads the bucket from Host)."""
        return CosConfig(Scheme="http", Proxies={"http": "http://" + cos_host}, **kwargs)

    vod_upload_client.vod_client.VodClient = EmulatorVodClient
    vod_upload_client.CosConfig = emulator_cos_config
