// Uploads with Tencent's official Node.js SDK (vod-node-sdk) to a running `vodraw emulator`, changing only where
// requests go (endpoint, protocol, path-style COS) — the SDK itself is used unchanged.
// Usage: node upload.js EMULATOR_JSON_FILE KIND   (KIND: simple | cover | multipart | temporary | hls)
const fs = require('fs');
const path = require('path');
const cloud = require('tencentcloud-sdk-nodejs');
const banner = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const kind = process.argv[3] || 'simple';
const vodHost = new URL(banner.vodEndpoint).host;
const cosHost = new URL(banner.cosEndpoint.replace('{bucket}', '')).host;

// The VOD API client: the emulator's host over http (signature v1, the SDK's default, HmacSHA256).
const VodClient = cloud.vod.v20180717.Client;
cloud.vod.v20180717.Client = class extends VodClient {
  constructor(credential, region) {
    super(credential, region, new cloud.common.ClientProfile(undefined, new cloud.common.HttpProfile('http://', vodHost)));
  }
};
// The COS client: its usual virtual-host URLs ({bucket}.cos.{region}.myqcloud.com) over http, sent through the
// emulator as an HTTP proxy (the SDK no longer allows path style; the emulator reads the bucket from Host).
const cosPath = require.resolve('cos-nodejs-sdk-v5');
const COS = require(cosPath);
require.cache[cosPath].exports = class extends COS {
  constructor(options) {
    super({ ...options, Protocol: 'http:', Proxy: 'http://' + cosHost });
  }
};
const { VodUploadClient, VodUploadRequest } = require('vod-node-sdk');

const dir = fs.mkdtempSync('/tmp/vodraw-node-');
function file(name, bytes) {
  const p = path.join(dir, name);
  const data = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) data[i] = (i * 7919) & 0xff;
  fs.writeFileSync(p, data);
  return p;
}

const credential = kind === 'temporary' ? banner.temporaryCredential : banner;
const client = new VodUploadClient(credential.secretId, credential.secretKey, credential.token);
const request = new VodUploadRequest();
if (kind === 'hls') {
  for (let i = 0; i < 3; i++) file(`s${i}.ts`, 200 * 1024);
  const playlist = path.join(dir, 'index.m3u8');
  fs.writeFileSync(playlist, '#EXTM3U\n#EXT-X-TARGETDURATION:4\n' + [0, 1, 2].map(i => `#EXTINF:4.0,\ns${i}.ts\n`).join('') + '#EXT-X-ENDLIST\n');
  request.MediaFilePath = playlist;
} else {
  request.MediaFilePath = file('media.mp4', kind === 'multipart' ? 30 * 1024 * 1024 : 300 * 1024);
}
if (kind === 'cover') request.CoverFilePath = file('cover.png', 20 * 1024);

client.upload('ap-guangzhou', request, (err, data) => {
  if (err) {
    console.error(kind + ': ' + (err.message || JSON.stringify(err)) + (process.env.VERBOSE ? ' ' + JSON.stringify(err) : ''));
    process.exit(1);
  }
  console.log(kind + ': ' + JSON.stringify({ FileId: data.FileId, MediaUrl: data.MediaUrl, CoverUrl: data.CoverUrl }));
});
