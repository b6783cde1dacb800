using System.Xml;

namespace VodRaw.Manifests;

/// <summary>
/// The part of an MPD document the segment walk needs: elements of the DASH namespace (or of no namespace), their
/// attributes and text. Read with DTDs prohibited, no resolver, and bounds on depth and size, so a hostile document
/// fails fast with a format error instead of expanding entities or fetching anything.
/// </summary>
internal sealed class MpdElement
{
    public const string DashNamespace = "urn:mpeg:dash:schema:mpd:2011";
    private const int MaxDepth = 32;
    private const int MaxElements = 500_000;
    private const int MaxTextLength = 8 * 1024;

    private MpdElement(string name, int line)
    {
        Name = name;
        Line = line;
    }

    public string Name { get; }

    public int Line { get; }

    public Dictionary<string, string> Attributes { get; } = new(StringComparer.Ordinal);

    public List<MpdElement> Children { get; } = [];

    public string Text { get; private set; } = string.Empty;

    public string? Attribute(string name) => Attributes.TryGetValue(name, out var v) ? v : null;

    public MpdElement? Child(string name) => Children.Find(c => c.Name == name);

    public IEnumerable<MpdElement> ChildrenNamed(string name) => Children.Where(c => c.Name == name);

    /// <exception cref="ManifestFormatException">The bytes are not well-formed XML or break a limit.</exception>
    public static MpdElement Load(Stream content)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
            MaxCharactersFromEntities = 1024,
            MaxCharactersInDocument = ManifestCollector.MaxManifestBytes,
        };
        try
        {
            using var reader = XmlReader.Create(content, settings);
            return Read(reader);
        }
        catch (XmlException e)
        {
            throw new ManifestFormatException($"not well-formed XML: {e.Message}", e.LineNumber, e);
        }
    }

    private static MpdElement Read(XmlReader reader)
    {
        var lineInfo = (IXmlLineInfo)reader;
        var stack = new Stack<MpdElement>();
        MpdElement? root = null;
        var elements = 0;
        var advance = true;
        while (advance ? reader.Read() : !reader.EOF)
        {
            advance = true;
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    if (++elements > MaxElements || stack.Count >= MaxDepth)
                    {
                        throw new ManifestFormatException($"the document is too large or too deeply nested (at most {MaxElements} elements, depth {MaxDepth})", lineInfo.LineNumber);
                    }

                    if (reader.NamespaceURI is not ("" or DashNamespace))
                    {
                        // Other vocabularies (DRM signalling, extensions) name no files; Skip leaves the reader on the
                        // node after the subtree, which the next turn handles without reading past it.
                        reader.Skip();
                        advance = false;
                        continue;
                    }

                    var element = new MpdElement(reader.LocalName, lineInfo.LineNumber);
                    if (reader.MoveToFirstAttribute())
                    {
                        do
                        {
                            if (reader.NamespaceURI.Length == 0)
                            {
                                element.Attributes[reader.LocalName] = reader.Value;
                            }
                        }
                        while (reader.MoveToNextAttribute());
                        reader.MoveToElement();
                    }

                    if (stack.TryPeek(out var parent))
                    {
                        parent.Children.Add(element);
                    }
                    else
                    {
                        root = element;
                    }

                    if (!reader.IsEmptyElement)
                    {
                        stack.Push(element);
                    }

                    break;
                case XmlNodeType.EndElement:
                    stack.Pop();
                    break;
                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.SignificantWhitespace:
                    if (stack.TryPeek(out var owner) && owner.Name == "BaseURL")
                    {
                        if (owner.Text.Length + reader.Value.Length > MaxTextLength)
                        {
                            throw new ManifestFormatException($"a BaseURL is longer than {MaxTextLength} characters", lineInfo.LineNumber);
                        }

                        owner.Text += reader.Value;
                    }

                    break;
            }
        }

        return root ?? throw new ManifestFormatException("the document has no root element");
    }
}
