using VodRaw.Emulator;
using VodRaw.Signing;

namespace VodRaw.Tests.Emulator;

/// <summary>The emulator's own object-path encoding (MediaUrl, CoverUrl) and the library's agree, written apart.</summary>
public class ObjectPathTests
{
    [Theory]
    [InlineData("/dir/f0.mp4", "/dir/f0.mp4")]
    [InlineData("/dir/中文 片段 1.ts", "/dir/%E4%B8%AD%E6%96%87%20%E7%89%87%E6%AE%B5%201.ts")]
    [InlineData("/dir/My Video+(1)=é视频 #?.mp4", "/dir/My%20Video%2B%281%29%3D%C3%A9%E8%A7%86%E9%A2%91%20%23%3F.mp4")]
    [InlineData("/dir/gear4/test/./fileSequence0.ts", "/dir/gear4/test/.%2FfileSequence0.ts")]
    [InlineData("/dir/a~b_c-d.e", "/dir/a~b_c-d.e")]
    public void EncodesAKeyAsCosDoesAndAsTheLibraryDoes(string key, string expected)
    {
        Assert.Equal(expected, VodEmulator.ObjectPath(key));
        Assert.Equal(CosEncoding.EncodeObjectPath(key), VodEmulator.ObjectPath(key));
    }
}
