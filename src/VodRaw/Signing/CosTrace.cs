namespace VodRaw.Signing;

/// <summary>Every intermediate value of one COS signature, for tests and debugging.</summary>
internal sealed record CosTrace(
    string SignKey,
    string UrlParamList,
    string HttpParameters,
    string HeaderList,
    string HttpHeaders,
    string HttpString,
    string StringToSign,
    string Signature,
    string Authorization);
