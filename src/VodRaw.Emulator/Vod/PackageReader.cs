using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace VodRaw.Emulator;

/// <summary>
/// The emulator's own reading of HLS playlists and DASH MPDs (what ParseStreamingManifest returns and what
/// CommitUpload checks was uploaded), written apart from the library's parsers so that the two can disagree in a
/// test: whole strings and LINQ to XML here, where the library walks bytes and an XmlReader. The rules are the ones
/// spec/hls.md and spec/dash.md give; the path rule is <see cref="Normalize"/>.
/// </summary>
internal static partial class PackageReader
{
    private const int MaxManifestBytes = 8 << 20;
    private const int MaxLineBytes = 64 * 1024;
    private const int MaxSegments = 1_000_000;
    private static readonly XNamespace Dash = "urn:mpeg:dash:schema:mpd:2011";
    private static readonly string[] UriTags = ["EXT-X-MAP", "EXT-X-MEDIA", "EXT-X-I-FRAME-STREAM-INF", "EXT-X-SESSION-DATA", "EXT-X-PART", "EXT-X-PRELOAD-HINT"];
    private static readonly string[] KeyTags = ["EXT-X-KEY", "EXT-X-SESSION-KEY"];

    /// <summary>The files a manifest references, in order of first appearance, each once.</summary>
    /// <exception cref="FormatException">The manifest cannot be read as <paramref name="type"/>.</exception>
    public static IReadOnlyList<string> Read(byte[] content, string type)
    {
        if (content.Length > MaxManifestBytes)
        {
            throw new FormatException($"the manifest is {content.Length} bytes; at most {MaxManifestBytes} are accepted");
        }

        var found = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string reference)
        {
            if (seen.Add(reference))
            {
                found.Add(reference);
            }
        }

        if (type == "mpd")
        {
            ReadMpd(content, Add);
        }
        else
        {
            ReadPlaylist(content, Add);
        }

        return found;
    }

    /// <summary>The path rule: a relative path inside the manifest's directory, normalised; else null and why.</summary>
    public static string? Normalize(string reference, out string? violation)
    {
        violation = null;
        if (string.IsNullOrWhiteSpace(reference))
        {
            violation = "is empty";
            return null;
        }

        if (Scheme().IsMatch(reference))
        {
            violation = "is a URL; only relative paths can be uploaded";
            return null;
        }

        var path = Uri.UnescapeDataString(reference).Replace('\\', '/');
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            violation = "contains a NUL character";
            return null;
        }

        if (path.StartsWith('/') || Drive().IsMatch(path))
        {
            violation = "is an absolute path; only paths relative to the manifest's directory can be uploaded";
            return null;
        }

        var segments = path.Split('/').Where(s => s is not ("" or ".")).ToList();
        if (segments.Contains(".."))
        {
            violation = "leaves the manifest's directory (..)";
            return null;
        }

        if (segments.Count == 0)
        {
            violation = "names no file";
            return null;
        }

        return string.Join('/', segments);
    }

    private static void ReadPlaylist(byte[] content, Action<string> add)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            throw new FormatException("the playlist is not valid UTF-8");
        }

        var lines = text.Split('\n');
        var header = false;
        for (var n = 0; n < lines.Length; n++)
        {
            if (Encoding.UTF8.GetByteCount(lines[n]) > MaxLineBytes)
            {
                throw new FormatException($"line {n + 1} is longer than {MaxLineBytes} bytes");
            }

            var line = lines[n].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (!header)
            {
                header = line == "#EXTM3U" ? true : throw new FormatException("the playlist does not start with #EXTM3U");
                continue;
            }

            if (!line.StartsWith('#'))
            {
                add(line);
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var tag = colon < 0 ? line[1..] : line[1..colon];
            var attributes = colon < 0 ? string.Empty : line[(colon + 1)..];
            var isKey = KeyTags.Contains(tag);
            if (!isKey && !UriTags.Contains(tag))
            {
                continue;
            }

            var uri = QuotedUri().Match(attributes);
            if (!uri.Success)
            {
                continue;
            }

            if (isKey && (Scheme().IsMatch(uri.Groups[1].Value) || MethodNone().IsMatch(attributes)))
            {
                continue; // a key server, or no key
            }

            add(uri.Groups[1].Value);
        }

        if (!header)
        {
            throw new FormatException("the playlist is empty");
        }
    }

    private static void ReadMpd(byte[] content, Action<string> add)
    {
        XDocument document;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(content), new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                MaxCharactersInDocument = MaxManifestBytes,
                IgnoreComments = true,
            });
            document = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw new FormatException("the MPD is not well-formed XML without a DTD: " + e.Message);
        }

        var mpd = document.Root;
        if (mpd is null || mpd.Name.LocalName != "MPD" || (mpd.Name.Namespace != Dash && mpd.Name.Namespace != XNamespace.None))
        {
            throw new FormatException("the root element is not an MPD");
        }

        var ns = mpd.Name.Namespace;
        var periods = mpd.Elements(ns + "Period").ToList();
        var total = Seconds(mpd.Attribute("mediaPresentationDuration"));
        var count = 0;
        double? previousEnd = 0;
        for (var p = 0; p < periods.Count; p++)
        {
            var period = periods[p];
            var start = Seconds(period.Attribute("start")) ?? previousEnd;
            var duration = Seconds(period.Attribute("duration"))
                ?? (p + 1 < periods.Count ? Seconds(periods[p + 1].Attribute("start")) - start : total - start);
            previousEnd = start + duration;
            var periodBase = Merge(FirstBase(mpd, ns), FirstBase(period, ns));
            foreach (var set in period.Elements(ns + "AdaptationSet"))
            {
                var setBase = Merge(periodBase, FirstBase(set, ns));
                foreach (var representation in set.Elements(ns + "Representation"))
                {
                    var levels = new[] { representation, set, period }; // lowest first
                    var files = Representation(representation, levels, Merge(setBase, FirstBase(representation, ns)), ns, duration);
                    foreach (var file in files)
                    {
                        if (++count > MaxSegments)
                        {
                            throw new FormatException($"the MPD lists more than {MaxSegments} segments");
                        }

                        add(file);
                    }
                }
            }
        }
    }

    private static IEnumerable<string> Representation(XElement representation, XElement[] levels, string baseUrl, XNamespace ns, double? periodSeconds)
    {
        var kind = levels.Select(l => new[] { "SegmentTemplate", "SegmentList", "SegmentBase" }.Select(k => l.Element(ns + k)).FirstOrDefault(e => e is not null)).FirstOrDefault(e => e is not null);
        var id = (string?)representation.Attribute("id") ?? string.Empty;
        var bandwidth = (string?)representation.Attribute("bandwidth") ?? string.Empty;
        if (kind?.Name.LocalName == "SegmentTemplate")
        {
            // Attributes inherit from the same element higher up (lower wins); children come from the lowest that has them.
            var templates = levels.Select(l => l.Element(ns + "SegmentTemplate")).OfType<XElement>().ToList();
            string? Attr(string name) => templates.Select(t => (string?)t.Attribute(name)).FirstOrDefault(v => v is not null);
            XElement? Child(string name) => templates.Select(t => t.Element(ns + name)).FirstOrDefault(c => c is not null);
            var init = Attr("initialization") ?? (string?)Child("Initialization")?.Attribute("sourceURL");
            if (init is not null)
            {
                yield return Merge(baseUrl, Expand(init, id, bandwidth, null, null));
            }

            if (Attr("index") is { } index && !index.Contains("$Number", StringComparison.Ordinal) && !index.Contains("$Time", StringComparison.Ordinal))
            {
                yield return Merge(baseUrl, Expand(index, id, bandwidth, null, null));
            }

            var media = Attr("media");
            if (media is null)
            {
                yield break;
            }

            if (!media.Contains("$Number", StringComparison.Ordinal) && !media.Contains("$Time", StringComparison.Ordinal))
            {
                yield return Merge(baseUrl, Expand(media, id, bandwidth, null, null));
                yield break;
            }

            var startNumber = Long(Attr("startNumber")) ?? 1;
            var timescale = Long(Attr("timescale")) ?? 1;
            foreach (var (number, time) in Segments(Child("SegmentTimeline"), ns, startNumber, timescale, Long(Attr("duration")), Long(Attr("endNumber")), Long(Attr("presentationTimeOffset")) ?? 0, periodSeconds))
            {
                yield return Merge(baseUrl, Expand(media, id, bandwidth, number, time));
                if (Attr("index") is { } perSegment && (perSegment.Contains("$Number", StringComparison.Ordinal) || perSegment.Contains("$Time", StringComparison.Ordinal)))
                {
                    yield return Merge(baseUrl, Expand(perSegment, id, bandwidth, number, time));
                }
            }

            yield break;
        }

        if (kind?.Name.LocalName == "SegmentList")
        {
            var lists = levels.Select(l => l.Element(ns + "SegmentList")).OfType<XElement>().ToList();
            var initialization = lists.Select(l => l.Element(ns + "Initialization")).FirstOrDefault(e => e is not null);
            var rangeOfOwnFile = initialization is not null && initialization.Attribute("sourceURL") is null;
            if ((string?)initialization?.Attribute("sourceURL") is { } source)
            {
                yield return Merge(baseUrl, source);
            }

            if ((string?)lists.Select(l => l.Element(ns + "RepresentationIndex")).FirstOrDefault(e => e is not null)?.Attribute("sourceURL") is { } representationIndex)
            {
                yield return Merge(baseUrl, representationIndex);
            }

            foreach (var url in lists.Select(l => l.Elements(ns + "SegmentURL").ToList()).FirstOrDefault(u => u.Count > 0) ?? [])
            {
                if ((string?)url.Attribute("media") is { } segment)
                {
                    yield return Merge(baseUrl, segment);
                }
                else
                {
                    rangeOfOwnFile = true;
                }

                if ((string?)url.Attribute("index") is { } segmentIndex)
                {
                    yield return Merge(baseUrl, segmentIndex);
                }
            }

            if (rangeOfOwnFile)
            {
                yield return baseUrl;
            }

            yield break;
        }

        // SegmentBase, or no description: the Representation is its BaseURL's file.
        if (baseUrl.Length == 0 || baseUrl.EndsWith('/'))
        {
            throw new FormatException($"Representation '{id}' has no segment description and its BaseURL names no file");
        }

        yield return baseUrl;
        var segmentBase = levels.Select(l => l.Element(ns + "SegmentBase")).FirstOrDefault(e => e is not null);
        foreach (var name in new[] { "Initialization", "RepresentationIndex" })
        {
            if ((string?)segmentBase?.Element(ns + name)?.Attribute("sourceURL") is { } extra)
            {
                yield return Merge(baseUrl, extra);
            }
        }
    }

    /// <summary>The (number, time) of every segment of a template.</summary>
    private static IEnumerable<(long Number, long Time)> Segments(XElement? timeline, XNamespace ns, long startNumber, long timescale, long? duration, long? endNumber, long offset, double? periodSeconds)
    {
        var number = startNumber;
        if (timeline is not null)
        {
            var entries = timeline.Elements(ns + "S").ToList();
            long time = 0;
            for (var i = 0; i < entries.Count; i++)
            {
                var s = entries[i];
                time = Long((string?)s.Attribute("t")) ?? time;
                var d = Long((string?)s.Attribute("d")) is { } dd and > 0 ? dd : throw new FormatException("a SegmentTimeline S has no positive @d");
                var r = Long((string?)s.Attribute("r")) ?? 0;
                long repeats;
                if (r >= 0)
                {
                    repeats = r + 1;
                }
                else
                {
                    // Until the next S@t, or the end of the Period.
                    var end = i + 1 < entries.Count && Long((string?)entries[i + 1].Attribute("t")) is { } next
                        ? next
                        : periodSeconds is { } seconds ? offset + (long)Math.Round(seconds * timescale) : throw new FormatException("a repeating S needs the Period's duration");
                    repeats = (long)Math.Ceiling((end - time) / (double)d);
                }

                for (var k = 0; k < repeats; k++)
                {
                    yield return (number++, time);
                    time += d;
                }
            }

            yield break;
        }

        if (duration is not { } segmentDuration || segmentDuration <= 0)
        {
            throw new FormatException("a SegmentTemplate with $Number$ or $Time$ needs @duration or a SegmentTimeline");
        }

        var last = endNumber ?? (periodSeconds is { } length
            ? startNumber - 1 + (long)Math.Ceiling(length * timescale / segmentDuration)
            : throw new FormatException("the segment count needs the Period's duration"));
        if (last - startNumber + 1 > MaxSegments)
        {
            throw new FormatException($"the MPD lists more than {MaxSegments} segments");
        }

        for (; number <= last; number++)
        {
            yield return (number, (number - startNumber) * segmentDuration);
        }
    }

    /// <summary>Expands $RepresentationID$, $Bandwidth$, $Number$, $Time$ (with %0Nd) and $$.</summary>
    private static string Expand(string template, string id, string bandwidth, long? number, long? time) =>
        Identifier().Replace(template, m =>
        {
            var name = m.Groups[1].Value;
            var format = m.Groups[2].Success ? m.Groups[2].Value : null;
            string Numeric(long? value) => value is { } v
                ? (format is null ? v.ToString(CultureInfo.InvariantCulture) : v.ToString("D" + int.Parse(format, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture))
                : throw new FormatException($"${name}$ is not available here");
            return name switch
            {
                "" => "$",
                "RepresentationID" => id,
                "Bandwidth" => format is null ? bandwidth : Numeric(long.Parse(bandwidth, CultureInfo.InvariantCulture)),
                "Number" => Numeric(number),
                "Time" => Numeric(time),
                _ => throw new FormatException($"${name}$ is not a template identifier"),
            };
        });

    private static string? FirstBase(XElement element, XNamespace ns) => element.Elements(ns + "BaseURL").Select(b => b.Value.Trim()).FirstOrDefault();

    /// <summary>RFC 3986 merge of a relative reference onto a base path; a reference with a scheme or a leading / stays whole.</summary>
    private static string Merge(string? baseUrl, string? reference)
    {
        if (string.IsNullOrEmpty(reference))
        {
            return baseUrl ?? string.Empty;
        }

        if (string.IsNullOrEmpty(baseUrl) || Scheme().IsMatch(reference) || reference.StartsWith('/'))
        {
            return reference;
        }

        return baseUrl[..(baseUrl.LastIndexOf('/') + 1)] + reference;
    }

    private static long? Long(string? value) =>
        value is null ? null : long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : throw new FormatException($"'{value}' is not a whole number");

    /// <summary>An xs:duration in seconds (years and months refused unless zero).</summary>
    private static double? Seconds(XAttribute? attribute)
    {
        if (attribute is null)
        {
            return null;
        }

        var m = Duration().Match(attribute.Value.Trim());
        if (!m.Success || (m.Groups["y"].Success && double.Parse(m.Groups["y"].Value, CultureInfo.InvariantCulture) != 0) || (m.Groups["mo"].Success && double.Parse(m.Groups["mo"].Value, CultureInfo.InvariantCulture) != 0))
        {
            throw new FormatException($"'{attribute.Value}' is not a duration this emulator reads");
        }

        double Part(string group) => m.Groups[group].Success ? double.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        return (Part("d") * 86400) + (Part("h") * 3600) + (Part("mi") * 60) + Part("s");
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]+:")]
    private static partial Regex Scheme();

    [GeneratedRegex(@"^[A-Za-z]:")]
    private static partial Regex Drive();

    [GeneratedRegex(@"(?:^|,)\s*URI\s*=\s*""([^""]*)""")]
    private static partial Regex QuotedUri();

    [GeneratedRegex(@"(?:^|,)\s*METHOD\s*=\s*NONE\s*(?:,|$)")]
    private static partial Regex MethodNone();

    [GeneratedRegex(@"\$(RepresentationID|Bandwidth|Number|Time|[^$%]*)(?:%0(\d{1,2})d)?\$")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^P(?:(?<y>\d+(?:\.\d+)?)Y)?(?:(?<mo>\d+(?:\.\d+)?)M)?(?:(?<d>\d+(?:\.\d+)?)D)?(?:T(?:(?<h>\d+(?:\.\d+)?)H)?(?:(?<mi>\d+(?:\.\d+)?)M)?(?:(?<s>\d+(?:\.\d+)?)S)?)?$")]
    private static partial Regex Duration();
}
