namespace VodRaw.Cli;

/// <summary>The credential from TENCENTCLOUD_SECRET_ID / _SECRET_KEY / _SESSION_TOKEN (never from arguments).</summary>
internal static class EnvironmentCredential
{
    public static VodCredential? Read(CliEnvironment env, out string? error)
    {
        var secretId = env.Variable(UploadCommand.SecretIdVariable);
        var secretKey = env.Variable(UploadCommand.SecretKeyVariable);
        if (string.IsNullOrEmpty(secretId) || string.IsNullOrEmpty(secretKey))
        {
            error = $"no credentials: set {UploadCommand.SecretIdVariable} and {UploadCommand.SecretKeyVariable} (and {UploadCommand.TokenVariable} for a temporary credential). Secrets are never taken as command-line arguments.";
            return null;
        }

        try
        {
            error = null;
            return new VodCredential(secretId, secretKey, env.Variable(UploadCommand.TokenVariable));
        }
        catch (ArgumentException e)
        {
            error = "invalid credential in the environment: " + e.Message;
            return null;
        }
    }
}
