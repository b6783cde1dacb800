using System.Text;
using VodRaw.Manifests;

namespace VodRaw.Tests.Manifests;

public class DashManifestParserTests
{
    private static IReadOnlyList<string> Parse(string xml) => DashManifestParser.Parse(Encoding.UTF8.GetBytes(xml));

    private static string Mpd(string period, string attributes = "mediaPresentationDuration=\"PT4S\"") =>
        $"""<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" {attributes}>{period}</MPD>""";

    [Theory]
    [InlineData("$Number$", "1")]
    [InlineData("$Number%05d$", "00001")]
    [InlineData("$Number%01d$", "1")]
    [InlineData("a$$b$Number$", "a$b1")]
    [InlineData("$RepresentationID$-$Bandwidth$-$Time$", "r1-500-0")]
    [InlineData("$Bandwidth%08d$", "00000500")]
    [InlineData("plain.m4s", "plain.m4s")]
    public void ExpandsTemplateIdentifiers(string template, string expected) =>
        Assert.Equal(expected, DashTemplate.Expand(template, "r1", 500, 1, 0, 1));

    [Theory]
    [InlineData("$Unknown$")]
    [InlineData("$Number")]
    [InlineData("$Number%5d$")]
    [InlineData("$Number%05x$")]
    [InlineData("$Number%099d$")]
    [InlineData("$RepresentationID%02d$")]
    public void RefusesMalformedTemplates(string template) =>
        Assert.Throws<ManifestFormatException>(() => DashTemplate.Expand(template, "r1", 500, 1, 0, 1));

    [Fact]
    public void CountsDurationTemplatesFromThePeriodAndHonoursStartNumber()
    {
        // 4 s at 2.5 s per segment: 2 segments (the last one short), numbered from 7.
        var references = Parse(Mpd("""
            <Period><AdaptationSet><Representation id="v" bandwidth="1">
              <SegmentTemplate timescale="10" duration="25" startNumber="7" media="$RepresentationID$_$Number$.m4s" initialization="$RepresentationID$_init.mp4"/>
            </Representation></AdaptationSet></Period>
            """));
        Assert.Equal(["v_init.mp4", "v_7.m4s", "v_8.m4s"], references);
    }

    [Fact]
    public void EndNumberBoundsATemplateWithoutAKnownDuration()
    {
        var references = Parse(Mpd("""
            <Period><AdaptationSet><Representation id="v" bandwidth="1">
              <SegmentTemplate startNumber="0" endNumber="2" media="s$Number$.m4s"/>
            </Representation></AdaptationSet></Period>
            """, attributes: ""));
        Assert.Equal(["s0.m4s", "s1.m4s", "s2.m4s"], references);
    }

    [Fact]
    public void TimelineRepeatsToTheNextTimeOrThePeriodsEnd()
    {
        var references = Parse(Mpd("""
            <Period duration="PT10S"><AdaptationSet><Representation id="v" bandwidth="1">
              <SegmentTemplate timescale="1" media="$Time$-$Number$.m4s" startNumber="1">
                <SegmentTimeline><S t="0" d="2" r="-1"/><S t="5" d="3" r="-1"/></SegmentTimeline>
              </SegmentTemplate>
            </Representation></AdaptationSet></Period>
            """));
        // 0,2,4 until t=5 (the first run stops at the next S@t), then 5 and 8 until the 10 s period end.
        Assert.Equal(["0-1.m4s", "2-2.m4s", "4-3.m4s", "5-4.m4s", "8-5.m4s"], references);
    }

    [Fact]
    public void LowerLevelsOverrideTemplateAttributesAndBaseUrlsNest()
    {
        var references = Parse(Mpd("""
            <BaseURL>root/</BaseURL>
            <Period>
              <BaseURL>p/</BaseURL>
              <SegmentTemplate timescale="1" duration="2" media="$RepresentationID$/$Number$.m4s" initialization="init-$RepresentationID$.mp4"/>
              <AdaptationSet>
                <BaseURL>set/</BaseURL>
                <Representation id="a" bandwidth="1"><SegmentTemplate duration="4"/></Representation>
                <Representation id="b" bandwidth="1"><BaseURL>b-base/</BaseURL></Representation>
              </AdaptationSet>
            </Period>
            """));
        Assert.Equal(
            ["root/p/set/init-a.mp4", "root/p/set/a/1.m4s", "root/p/set/b-base/init-b.mp4", "root/p/set/b-base/b/1.m4s", "root/p/set/b-base/b/2.m4s"],
            references);
    }

    [Fact]
    public void ElementsOfOtherNamespacesAreSkippedButUnprefixedMpdsAreRead()
    {
        var references = Parse("""
            <MPD mediaPresentationDuration="PT1S" xmlns:x="urn:example">
              <x:BaseURL>ignored/</x:BaseURL>
              <Period><AdaptationSet><Representation id="r" bandwidth="1"><x:Extra><BaseURL>nope.mp4</BaseURL></x:Extra><BaseURL>r.mp4</BaseURL></Representation></AdaptationSet></Period>
            </MPD>
            """);
        Assert.Equal(["r.mp4"], references);
    }

    [Theory]
    [InlineData("<NotMpd/>", "root element")]
    [InlineData("<MPD", "XML")]
    [InlineData("<!DOCTYPE MPD><MPD/>", "DTD")]
    [InlineData("""<MPD mediaPresentationDuration="P1M"><Period/></MPD>""", "months")]
    [InlineData("""<MPD mediaPresentationDuration="1 hour"><Period/></MPD>""", "ISO 8601")]
    [InlineData("""<MPD><Period><AdaptationSet><Representation id="v" bandwidth="1"><SegmentTemplate duration="2" media="$Number$.m4s"/></Representation></AdaptationSet></Period></MPD>""", "duration is unknown")]
    [InlineData("""<MPD><Period><AdaptationSet><Representation id="v" bandwidth="x"><SegmentTemplate media="$Bandwidth$.mp4"/></Representation></AdaptationSet></Period></MPD>""", "not an integer")]
    [InlineData("""<MPD><Period><AdaptationSet><Representation id="v" bandwidth="1"/></AdaptationSet></Period></MPD>""", "names no media file")]
    [InlineData("""<MPD mediaPresentationDuration="P99999D"><Period><AdaptationSet><Representation id="v" bandwidth="1"><SegmentTemplate timescale="1000" duration="1" media="$Number$.m4s"/></Representation></AdaptationSet></Period></MPD>""", "more than")]
    [InlineData("""<MPD><Period><AdaptationSet><Representation id="v" bandwidth="1"><SegmentTemplate media="$Number$.m4s"><SegmentTimeline><S d="1" r="9223372036854775807"/></SegmentTimeline></SegmentTemplate></Representation></AdaptationSet></Period></MPD>""", "overflow")]
    public void RefusesWhatItCannotCountOrRead(string xml, string reason)
    {
        var error = Assert.Throws<ManifestFormatException>(() => Parse(xml));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PT1.5S", 1.5)]
    [InlineData("P1DT1H1M1S", 90061)]
    [InlineData("P0Y0M0DT0H3M30.000S", 210)]
    [InlineData("PT0S", 0)]
    public void ReadsDurations(string value, double seconds) =>
        Assert.Equal((decimal)seconds, IsoDuration.Parse(value, "d", 1));
}
