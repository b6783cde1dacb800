namespace VodRaw.Cli.Batch;

/// <summary>
/// A file glob as <c>--include</c> and <c>--exclude</c> take it, matched against a path relative to the folder given
/// on the command line, with <c>/</c> separators: <c>*</c> is any run of characters but <c>/</c>, <c>?</c> one such
/// character, <c>**</c> any run including <c>/</c> (<c>**/</c> also matches nothing), <c>[abc]</c> and <c>[a-z]</c> one of a set
/// (<c>[!a]</c> none of it). A pattern without <c>/</c> matches the file name in any folder, as in .gitignore.
/// Case-sensitive, like the file systems of the servers VodRaw runs on. A backslash is a folder separator on Windows
/// only; elsewhere it is a character like any other (<see cref="Slashes"/>).
/// </summary>
internal sealed class Glob
{
    private readonly string _pattern;
    private readonly bool _nameOnly;

    private Glob(string pattern)
    {
        _nameOnly = !pattern.Contains('/', StringComparison.Ordinal);
        _pattern = pattern.StartsWith("./", StringComparison.Ordinal) ? pattern[2..] : pattern.TrimStart('/');
    }

    public string Text => _pattern;

    /// <summary>The glob, or null with the reason when it cannot be read (an unclosed [).</summary>
    public static Glob? TryParse(string pattern, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(pattern))
        {
            error = "an empty pattern";
            return null;
        }

        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '[' && pattern.IndexOf(']', i + 1) < 0)
            {
                error = $"'{pattern}' has a [ without its ]";
                return null;
            }
        }

        return new Glob(Slashes.Of(pattern));
    }

    public bool IsMatch(string relativePath)
    {
        var path = Slashes.Of(relativePath);
        if (_nameOnly)
        {
            var slash = path.LastIndexOf('/');
            path = slash < 0 ? path : path[(slash + 1)..];
        }

        return Match(_pattern, 0, path, 0);
    }

    private static bool Match(string p, int pi, string s, int si)
    {
        while (pi < p.Length)
        {
            var c = p[pi];
            if (c == '*')
            {
                if (pi + 1 < p.Length && p[pi + 1] == '*')
                {
                    // "**/" may match no folder at all; "**" any run, slashes included.
                    var rest = pi + 2;
                    if (rest < p.Length && p[rest] == '/' && Match(p, rest + 1, s, si))
                    {
                        return true;
                    }

                    for (var k = si; k <= s.Length; k++)
                    {
                        if (Match(p, rest, s, k))
                        {
                            return true;
                        }
                    }

                    return false;
                }

                for (var k = si; k <= s.Length; k++)
                {
                    if (Match(p, pi + 1, s, k))
                    {
                        return true;
                    }

                    if (k < s.Length && s[k] == '/')
                    {
                        return false;
                    }
                }

                return false;
            }

            if (si >= s.Length)
            {
                return false;
            }

            if (c == '?')
            {
                if (s[si] == '/')
                {
                    return false;
                }
            }
            else if (c == '[')
            {
                var close = p.IndexOf(']', pi + 1);
                if (!InSet(p.AsSpan(pi + 1, close - pi - 1), s[si]))
                {
                    return false;
                }

                pi = close;
            }
            else if (c != s[si])
            {
                return false;
            }

            pi++;
            si++;
        }

        return si == s.Length;
    }

    private static bool InSet(ReadOnlySpan<char> set, char c)
    {
        var negate = set.Length > 0 && set[0] is '!' or '^';
        if (negate)
        {
            set = set[1..];
        }

        var found = false;
        for (var i = 0; i < set.Length; i++)
        {
            if (i + 2 < set.Length && set[i + 1] == '-')
            {
                found |= c >= set[i] && c <= set[i + 2];
                i += 2;
            }
            else
            {
                found |= c == set[i];
            }
        }

        return found != negate && c != '/';
    }
}
