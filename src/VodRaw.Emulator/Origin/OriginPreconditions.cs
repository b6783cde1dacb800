using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace VodRaw.Emulator.Origin;

/// <summary>
/// The conditional headers the origin evaluates, in RFC 9110 §13.2.2's order: <c>If-Match</c> (strong comparison;
/// a weak tag never matches), else <c>If-Unmodified-Since</c>; then, for a ranged GET, <c>If-Range</c>.
/// <c>If-None-Match</c> and <c>If-Modified-Since</c> are ignored: an upload's fetch never asks for a 304.
/// </summary>
internal static class OriginPreconditions
{
    /// <summary>False when the request must be answered 412 Precondition Failed.</summary>
    public static bool Pass(IHeaderDictionary headers, OriginObject current, EmulatorOriginOptions options)
    {
        if (headers.IfMatch.Count > 0)
        {
            // An origin that sends no ETag has none to match: only "*" passes.
            return Matches(headers.IfMatch, options.SendETag ? current.ETag : null);
        }

        // An origin that sends no Last-Modified has no date to compare with (and an unparsable date is ignored).
        if (options.SendLastModified && headers.IfUnmodifiedSince.Count > 0
            && HeaderUtilities.TryParseDate(headers.IfUnmodifiedSince.ToString(), out var since))
        {
            return current.LastModified <= since;
        }

        return true;
    }

    /// <summary>False when a Range must be ignored because <c>If-Range</c> names another version.</summary>
    public static bool RangeStillApplies(IHeaderDictionary headers, OriginObject current, EmulatorOriginOptions options)
    {
        var value = headers[HeaderNames.IfRange].ToString();
        if (value.Length == 0)
        {
            return true;
        }

        if (value.StartsWith('"') || value.StartsWith("W/", StringComparison.Ordinal))
        {
            return options.SendETag && string.Equals(value, current.ETag, StringComparison.Ordinal);
        }

        return options.SendLastModified && HeaderUtilities.TryParseDate(value, out var date) && date == current.LastModified;
    }

    private static bool Matches(StringValues ifMatch, string? etag)
    {
        if (!EntityTagHeaderValue.TryParseList(ifMatch, out var tags))
        {
            return false;
        }

        foreach (var tag in tags)
        {
            if (tag.Equals(EntityTagHeaderValue.Any))
            {
                return true;
            }

            if (etag is not null && !tag.IsWeak && string.Equals(tag.Tag.Value, etag, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
