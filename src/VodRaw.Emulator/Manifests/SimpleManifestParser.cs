using System.Text.RegularExpressions;

namespace VodRaw.Emulator.Manifests;

/// <summary>
/// The emulator's own reading of a manifest's references (HLS URI lines and URI attributes; DASH SegmentURL,
/// Initialization and BaseURL). Deliberately small: it lists what a manifest names so CommitUpload can check that
/// every referenced file was uploaded.
/// </summary>
internal static partial class SimpleManifestParser
{
    public static IReadOnlyList<string> Parse(string content, string manifestType)
    {
        var result = new List<string>();
        if (string.Equals(manifestType, "mpd", StringComparison.OrdinalIgnoreCase))
        {
            foreach (Match m in DashReference().Matches(content))
            {
                Add(result, System.Net.WebUtility.HtmlDecode(m.Groups["v"].Value));
            }

            return result;
        }

        foreach (var raw in content.Split('\n'))
        {
            var line = raw.Trim().TrimStart('\uFEFF');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                foreach (Match m in HlsUriAttribute().Matches(line))
                {
                    Add(result, m.Groups["v"].Value);
                }
            }
            else
            {
                Add(result, line);
            }
        }

        return result;
    }

    private static void Add(List<string> result, string reference)
    {
        if (reference.Length > 0 && !result.Contains(reference))
        {
            result.Add(reference);
        }
    }

    [GeneratedRegex("URI=\"(?<v>[^\"]*)\"")]
    private static partial Regex HlsUriAttribute();

    [GeneratedRegex("(?:(?:media|sourceURL)=\"(?<v>[^\"$]*)\")|(?:<BaseURL>(?<v>[^<]+)</BaseURL>)")]
    private static partial Regex DashReference();
}
