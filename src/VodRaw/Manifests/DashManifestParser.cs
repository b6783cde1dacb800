using System.Globalization;

namespace VodRaw.Manifests;

/// <summary>
/// Lists the files a DASH MPD references, in order of first appearance, each once: for every Representation of every
/// Period, the initialization, index and media segments its SegmentTemplate, SegmentList or SegmentBase names, resolved
/// against the BaseURLs of the MPD, Period, AdaptationSet and Representation. Pure: bytes in, list out. See spec/dash.md.
/// </summary>
internal static class DashManifestParser
{
    /// <summary>Segments enumerated (before de-duplication) beyond this are refused: a hostile template could name billions.</summary>
    public const long MaxSegments = 1_000_000;

    /// <exception cref="ManifestFormatException">The bytes are not an MPD this parser accepts.</exception>
    public static IReadOnlyList<string> Parse(ReadOnlySpan<byte> content)
    {
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        var mpd = MpdElement.Load(stream);
        if (mpd.Name != "MPD")
        {
            throw new ManifestFormatException($"the root element is <{mpd.Name}>, not <MPD>", mpd.Line);
        }

        var walk = new Walk();
        var mpdBase = BaseUrl.Resolve(string.Empty, mpd);
        var presentation = Duration(mpd, "mediaPresentationDuration");
        var periods = mpd.ChildrenNamed("Period").ToList();
        decimal? previousEnd = 0;
        for (var p = 0; p < periods.Count; p++)
        {
            var period = periods[p];
            var start = Duration(period, "start") ?? previousEnd;
            var duration = Duration(period, "duration")
                ?? (p + 1 < periods.Count && Duration(periods[p + 1], "start") is { } next ? next - start : null)
                ?? (p + 1 == periods.Count ? presentation - start : null);
            previousEnd = start + duration;
            var periodBase = BaseUrl.Resolve(mpdBase, period);
            foreach (var set in period.ChildrenNamed("AdaptationSet"))
            {
                var setBase = BaseUrl.Resolve(periodBase, set);
                foreach (var representation in set.ChildrenNamed("Representation"))
                {
                    walk.Representation([period, set, representation], BaseUrl.Resolve(setBase, representation), duration);
                }
            }
        }

        return walk.References.ToList();
    }

    private static decimal? Duration(MpdElement element, string attribute) =>
        element.Attribute(attribute) is { } value ? IsoDuration.Parse(value, attribute, element.Line) : null;

    /// <summary>The per-document state of the walk: references found and the segment budget.</summary>
    private sealed class Walk
    {
        private long _segments;

        public ReferenceSet References { get; } = new();

        public void Representation(MpdElement[] levels, string representationBase, decimal? periodSeconds)
        {
            var representation = levels[^1];
            // The segment description at the lowest level that has one decides the kind; its attributes inherit from
            // the same element at the levels above (ISO/IEC 23009-1 §5.3.9.1).
            for (var i = levels.Length - 1; i >= 0; i--)
            {
                if (levels[i].Child("SegmentTemplate") is not null)
                {
                    Template(Chain(levels, "SegmentTemplate"), representation, representationBase, periodSeconds);
                    return;
                }

                if (levels[i].Child("SegmentList") is not null)
                {
                    List(Chain(levels, "SegmentList"), representation, representationBase);
                    return;
                }

                if (levels[i].Child("SegmentBase") is not null)
                {
                    var chain = Chain(levels, "SegmentBase");
                    AddMediaFile(representationBase, representation);
                    AddSource(Lowest(chain, "Initialization"), representationBase);
                    AddSource(Lowest(chain, "RepresentationIndex"), representationBase);
                    return;
                }
            }

            // No segment description: the Representation is one file, its BaseURL.
            AddMediaFile(representationBase, representation);
        }

        private void Template(List<MpdElement> chain, MpdElement representation, string representationBase, decimal? periodSeconds)
        {
            var line = chain[^1].Line;
            var id = representation.Attribute("id");
            var bandwidth = Integer(representation, "bandwidth");
            var initialization = Inherited(chain, "initialization") ?? Lowest(chain, "Initialization")?.Attribute("sourceURL");
            if (initialization is not null)
            {
                Add(representationBase, DashTemplate.Expand(initialization, id, bandwidth, null, null, line));
            }

            var index = Inherited(chain, "index");
            if (index is not null && !DashTemplate.IsPerSegment(index))
            {
                Add(representationBase, DashTemplate.Expand(index, id, bandwidth, null, null, line));
                index = null;
            }

            var media = Inherited(chain, "media");
            if (media is null)
            {
                return;
            }

            if (!DashTemplate.IsPerSegment(media) && index is null)
            {
                Add(representationBase, DashTemplate.Expand(media, id, bandwidth, null, null, line));
                return;
            }

            var timescale = InheritedInteger(chain, "timescale") ?? 1;
            var number = InheritedInteger(chain, "startNumber") ?? 1;
            var offset = InheritedInteger(chain, "presentationTimeOffset") ?? 0;
            if (timescale <= 0)
            {
                throw new ManifestFormatException("SegmentTemplate@timescale must be positive", line);
            }

            try
            {
                var timeline = Lowest(chain, "SegmentTimeline");
                if (timeline is not null)
                {
                    var s = timeline.ChildrenNamed("S").ToList();
                    long time = 0;
                    for (var k = 0; k < s.Count; k++)
                    {
                        time = Integer(s[k], "t") ?? time;
                        var d = Integer(s[k], "d") ?? throw new ManifestFormatException("S@d is required", s[k].Line);
                        var r = Integer(s[k], "r") ?? 0;
                        if (d <= 0)
                        {
                            throw new ManifestFormatException("S@d must be positive", s[k].Line);
                        }

                        long count;
                        if (r >= 0)
                        {
                            count = checked(r + 1);
                        }
                        else
                        {
                            // r < 0: repeat until the next S@t, or the end of the Period.
                            var end = k + 1 < s.Count && Integer(s[k + 1], "t") is { } nextT ? nextT
                                : periodSeconds is { } seconds ? checked(offset + (long)decimal.Ceiling(seconds * timescale))
                                : throw new ManifestFormatException("S@r=-1 repeats to the end of a Period whose duration is unknown", s[k].Line);
                            count = Math.Max(0, (end - time + d - 1) / d);
                        }

                        Budget(count, s[k].Line);
                        for (long c = 0; c < count; c++)
                        {
                            Segment(representationBase, media, index, id, bandwidth, number, time, line);
                            number = checked(number + 1);
                            time = checked(time + d);
                        }
                    }

                    return;
                }

                var duration = InheritedInteger(chain, "duration");
                var endNumber = InheritedInteger(chain, "endNumber");
                long total;
                if (endNumber is { } last)
                {
                    total = Math.Max(0, checked(last - number + 1));
                }
                else if (duration is > 0 && periodSeconds is { } seconds)
                {
                    total = (long)decimal.Ceiling(seconds * timescale / duration.Value);
                }
                else
                {
                    throw new ManifestFormatException(duration is null
                        ? "a SegmentTemplate with $Number$ or $Time$ needs a SegmentTimeline, @duration or @endNumber"
                        : "the Period's duration is unknown, so the segments of a SegmentTemplate@duration cannot be counted", line);
                }

                Budget(total, line);
                for (long c = 0; c < total; c++)
                {
                    Segment(representationBase, media, index, id, bandwidth, checked(number + c), checked(c * (duration ?? 0)), line);
                }
            }
            catch (OverflowException e)
            {
                throw new ManifestFormatException("segment numbers or times overflow", line, e);
            }
        }

        private void Segment(string representationBase, string media, string? index, string? id, long? bandwidth, long number, long time, int line)
        {
            Add(representationBase, DashTemplate.Expand(media, id, bandwidth, number, time, line));
            if (index is not null)
            {
                Add(representationBase, DashTemplate.Expand(index, id, bandwidth, number, time, line));
            }
        }

        private void List(List<MpdElement> chain, MpdElement representation, string representationBase)
        {
            if (Lowest(chain, "Initialization") is { } initialization)
            {
                if (initialization.Attribute("sourceURL") is null)
                {
                    AddMediaFile(representationBase, representation); // the init range lies in the Representation's file
                }

                AddSource(initialization, representationBase);
            }

            AddSource(Lowest(chain, "RepresentationIndex"), representationBase);
            for (var i = chain.Count - 1; i >= 0; i--)
            {
                var urls = chain[i].ChildrenNamed("SegmentURL").ToList();
                if (urls.Count == 0)
                {
                    continue;
                }

                Budget(urls.Count, chain[i].Line);
                foreach (var url in urls)
                {
                    if (url.Attribute("media") is { } media)
                    {
                        Add(representationBase, media);
                    }
                    else
                    {
                        AddMediaFile(representationBase, representation); // a byte range of the Representation's file
                    }

                    if (url.Attribute("index") is { } index)
                    {
                        Add(representationBase, index);
                    }
                }

                return;
            }
        }

        private void AddMediaFile(string representationBase, MpdElement representation)
        {
            if (representationBase.Length == 0 || representationBase.EndsWith('/'))
            {
                throw new ManifestFormatException($"Representation {representation.Attribute("id")} names no media file (its BaseURL is empty or a directory)", representation.Line);
            }

            References.Add(representationBase);
        }

        private void AddSource(MpdElement? element, string representationBase)
        {
            if (element?.Attribute("sourceURL") is { } source)
            {
                Add(representationBase, source);
            }
        }

        private void Add(string representationBase, string reference) => References.Add(BaseUrl.Combine(representationBase, reference));

        private void Budget(long count, int line)
        {
            if (count < 0 || count > MaxSegments - _segments)
            {
                throw new ManifestFormatException($"the MPD describes more than {MaxSegments} segments", line);
            }

            _segments += count;
        }
    }

    /// <summary>The element named <paramref name="name"/> at each level that has one, highest level first.</summary>
    private static List<MpdElement> Chain(MpdElement[] levels, string name)
    {
        var chain = new List<MpdElement>(levels.Length);
        foreach (var level in levels)
        {
            if (level.Child(name) is { } e)
            {
                chain.Add(e);
            }
        }

        return chain;
    }

    private static string? Inherited(List<MpdElement> chain, string attribute) => LowestWith(chain, attribute)?.Attribute(attribute);

    private static long? InheritedInteger(List<MpdElement> chain, string attribute) =>
        LowestWith(chain, attribute) is { } element ? Integer(element, attribute) : null;

    /// <summary>The lowest element of the chain that carries <paramref name="attribute"/> (lower levels override).</summary>
    private static MpdElement? LowestWith(List<MpdElement> chain, string attribute)
    {
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            if (chain[i].Attributes.ContainsKey(attribute))
            {
                return chain[i];
            }
        }

        return null;
    }

    private static MpdElement? Lowest(List<MpdElement> chain, string child)
    {
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            if (chain[i].Child(child) is { } e)
            {
                return e;
            }
        }

        return null;
    }

    private static long? Integer(MpdElement element, string attribute)
    {
        if (element.Attribute(attribute) is not { } value)
        {
            return null;
        }

        return long.TryParse(value.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ManifestFormatException($"{element.Name}@{attribute}=\"{value}\" is not an integer", element.Line);
    }
}
