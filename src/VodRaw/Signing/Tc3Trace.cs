namespace VodRaw.Signing;

/// <summary>Every intermediate value of one TC3 signature, for tests and debugging (never logged: it is derived from the secret).</summary>
internal sealed record Tc3Trace(
    string HashedPayload,
    string CanonicalRequest,
    string HashedCanonicalRequest,
    string CredentialScope,
    string StringToSign,
    string Signature,
    string Authorization);
