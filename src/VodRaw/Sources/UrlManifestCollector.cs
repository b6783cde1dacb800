using VodRaw.Manifests;

namespace VodRaw.Sources;

/// <summary>A file a URL manifest references: its URL and its path relative to the top manifest's directory.</summary>
internal sealed record UrlManifestFile(SourceUrl Url, string RelativePath);

/// <summary>
/// Every file an HLS or DASH manifest at a URL references, recursively, under the same rule as a local package
/// (<see cref="ManifestReference"/>): relative paths inside the manifest's directory only — so no other host, no
/// <c>..</c>, no absolute path, also after percent-decoding. A reference resolves against the top manifest's directory
/// URL, segment by segment escaped; the manifest's query (a presigned signature is per object) is not carried to
/// its files, its headers are (same origin). All violations, and manifests that cannot be parsed, are reported
/// together before anything is uploaded.
/// </summary>
internal sealed class UrlManifestCollector(OriginClient client, Func<byte[], string, CancellationToken, ValueTask<IReadOnlyList<string>>> discover)
{
    public async Task<IReadOnlyList<UrlManifestFile>> CollectAsync(SourceUrl manifest, string manifestType, CancellationToken cancellationToken)
    {
        var path = manifest.Uri.GetLeftPart(UriPartial.Path);
        var root = new Uri(path[..(path.LastIndexOf('/') + 1)]);
        var files = new Dictionary<string, UrlManifestFile>(StringComparer.Ordinal);
        var violations = new List<string>();
        var pending = new Queue<(SourceUrl Url, string RelativeDirectory, string Type, string Name)>();
        pending.Enqueue((manifest, string.Empty, manifestType, manifest.FileName));
        while (pending.Count > 0)
        {
            var current = pending.Dequeue();
            byte[] content;
            try
            {
                (_, content) = await client.GetAllAsync(current.Url, ManifestCollector.MaxManifestBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (VodRawException e) when (current.Url != manifest)
            {
                violations.Add($"{current.Name}: cannot be read: {e.Message}");
                continue;
            }

            IReadOnlyList<string> references;
            try
            {
                references = await discover(content, current.Type, cancellationToken).ConfigureAwait(false);
            }
            catch (ManifestFormatException e)
            {
                violations.Add($"{current.Name}: cannot be read as {current.Type}: {e.Message}");
                continue;
            }

            foreach (var reference in references)
            {
                if (reference.IndexOfAny(['?', '#']) is var query and >= 0 && !ManifestReference.HasScheme(reference))
                {
                    // Its COS key would keep the query as part of the name, and a token there would be shown: refused, unshown.
                    violations.Add($"{current.Name}: '{reference[..query]}?…' carries a query; only plain relative paths can be uploaded (VOD serves the package without URL parameters)");
                    continue;
                }

                var normalized = ManifestReference.Normalize(reference, out var violation);
                if (normalized is null)
                {
                    violations.Add($"{current.Name}: '{reference}' {violation}");
                    continue;
                }

                var relative = current.RelativeDirectory + normalized;
                if (files.ContainsKey(relative) || relative == manifest.FileName)
                {
                    continue; // seen already, or the top manifest itself (a playlist loop): it is the media
                }

                var url = manifest.Derive(new Uri(root, string.Join('/', relative.Split('/').Select(Uri.EscapeDataString))));
                files[relative] = new UrlManifestFile(url, relative);
                if (ManifestReference.ManifestTypeOf(relative) is { } nestedType)
                {
                    var slash = relative.LastIndexOf('/');
                    pending.Enqueue((url, slash < 0 ? string.Empty : relative[..(slash + 1)], nestedType, relative));
                }
            }
        }

        if (violations.Count > 0)
        {
            throw new ManifestException(manifest.Display, violations);
        }

        return [.. files.Values];
    }
}
