namespace VodRaw.Http;

/// <summary>
/// A request body could not be produced locally while it was being sent (a streamed file changed or could not be
/// read): a local failure, never a network one. <see cref="HttpSender"/> rethrows <see cref="Exception.InnerException"/>
/// instead of retrying. Defined here, beside the sender, so the sender knows no layer above it.
/// </summary>
internal sealed class LocalBodyFailure(Exception inner) : Exception("The request body could not be produced.", inner);
