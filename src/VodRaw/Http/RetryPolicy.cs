namespace VodRaw.Http;

/// <summary>What to do after a failed attempt.</summary>
internal enum RetryAction
{
    /// <summary>Send the same request again (after backoff).</summary>
    Retry,

    /// <summary>Give up: the request is refused and repeating it cannot help.</summary>
    Fail,

    /// <summary>The refusal says the work is already done (an Abort of an upload that is gone).</summary>
    AlreadyDone,

    /// <summary>The refusal may mean an earlier attempt succeeded: check the stored result before deciding.</summary>
    Verify,
}

/// <summary>What a resumed session does after a failure.</summary>
internal enum RecoveryAction
{
    /// <summary>The failure is the upload's: report it (the checkpoint is kept).</summary>
    Fail,

    /// <summary>The interrupted session cannot be finished: abandon it (its cleanup never blocks) and open a fresh one.</summary>
    StartFresh,
}

/// <summary>A recovery decision and why.</summary>
internal readonly record struct RecoveryDecision(RecoveryAction Action, string Reason)
{
    /// <summary>The reason with the failure's code, said once (a reason that names the code already is left as it is).</summary>
    public static string Describe(RecoveryDecision decision, string code) =>
        decision.Reason.Contains(code, StringComparison.Ordinal) ? decision.Reason : decision.Reason + " (" + code + ")";
}

/// <summary>A decision and why it was taken (the reason goes into the exception when the call fails).</summary>
internal readonly record struct RetryDecision(RetryAction Action, string Reason);

/// <summary>
/// The one table that decides retries, from (operation, failure kind, HTTP status, service code, whether an earlier
/// attempt's reply was lost). Nothing else in VodRaw classifies failures; spec/retries.md is this table in prose.
/// </summary>
internal static class RetryPolicy
{
    public static RetryDecision Decide(ServiceOperation operation, AttemptFailure failure, bool earlierReplyLost)
    {
        if (operation.IsOrigin())
        {
            return DecideForOrigin(failure);
        }

        switch (failure.Kind)
        {
            case FailureKind.Transport or FailureKind.Timeout when operation == ServiceOperation.CommitUpload:
                // Not "safe to repeat": the first attempt may have been applied. A repeat carries the same VodSessionKey,
                // which the service answers with the same FileId (spec/retries.md); if none answers, the outcome is unknown.
                return Retry(failure.Kind == FailureKind.Timeout
                    ? "no data moved for the inactivity timeout, so CommitUpload may have been applied; it is sent again with the same VodSessionKey"
                    : "the connection failed before CommitUpload's reply, so it may have been applied; it is sent again with the same VodSessionKey");
            case FailureKind.Transport or FailureKind.Timeout when operation == ServiceOperation.PullUpload:
                // The first attempt may have started the pull. The repeat carries the same SessionId, which VOD refuses as
                // a duplicate instead of starting a second pull (spec/pull.md); that refusal is then verified below.
                return Retry(failure.Kind == FailureKind.Timeout
                    ? "no data moved for the inactivity timeout, so PullUpload may have started the pull; it is sent again with the same SessionId, which VOD refuses as a duplicate rather than pull twice"
                    : "the connection failed before PullUpload's reply, so it may have started the pull; it is sent again with the same SessionId, which VOD refuses as a duplicate rather than pull twice");
            case FailureKind.Transport:
                return Retry("the connection failed before a reply; repeating this request cannot duplicate anything");
            case FailureKind.Timeout:
                return Retry("no data moved for the inactivity timeout");
            case FailureKind.InvalidResponse:
                return Retry("the reply was not usable (a proxy page, a truncated body, a 200 with an error body)");
            case FailureKind.IntegrityMismatch:
                return operation == ServiceOperation.CompleteMultipartUpload
                    ? Fail("the assembled object does not match the parts; repeating Complete cannot change it")
                    : Retry("COS stored different bytes than were sent; sending them again replaces them");
        }

        var code = failure.Code;
        var status = failure.Status ?? 0;

        // Idempotency rules (spec/retries.md, "Repeated requests").
        if (operation == ServiceOperation.CompleteMultipartUpload && code == ServiceErrorCodes.CosNoSuchUpload && earlierReplyLost)
        {
            return new(RetryAction.Verify, "an earlier Complete whose reply was lost may have assembled the object");
        }

        if (operation == ServiceOperation.AbortMultipartUpload && (code == ServiceErrorCodes.CosNoSuchUpload || status == 404))
        {
            return new(RetryAction.AlreadyDone, "the multipart upload no longer exists (aborted or completed before)");
        }

        if (operation == ServiceOperation.ListParts && code == ServiceErrorCodes.CosNoSuchUpload)
        {
            return new(RetryAction.AlreadyDone, "the multipart upload no longer exists (completed or aborted since it was recorded)");
        }

        if (operation == ServiceOperation.HeadObject && (status == 404 || code == ServiceErrorCodes.CosNoSuchKey))
        {
            return new(RetryAction.AlreadyDone, "no object is stored under the key");
        }

        if (operation.IsVodApi())
        {
            if (code.StartsWith(ServiceErrorCodes.VodRequestLimitExceeded, StringComparison.Ordinal))
            {
                return Retry("the VOD API is throttling this account");
            }

            if (code.StartsWith(ServiceErrorCodes.VodInternalError, StringComparison.Ordinal))
            {
                return Retry("the VOD API reported an internal error");
            }

            if (code == ServiceErrorCodes.VodServerNetworkError && IsTransientStatus(status))
            {
                return Retry("the VOD API answered HTTP " + status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (operation == ServiceOperation.PullUpload && code == ServiceErrorCodes.VodDuplicateSessionId)
            {
                return earlierReplyLost
                    ? new(RetryAction.Verify, "an earlier PullUpload whose reply was lost may have started the pull, and VOD refuses its SessionId as a duplicate: the task is looked up by that SessionId")
                    : Fail("VOD refuses the SessionId as a duplicate: a PullUpload with it was accepted within the last three days, and no second pull was started");
            }

            if (operation == ServiceOperation.CommitUpload && earlierReplyLost)
            {
                return Fail("an earlier CommitUpload attempt got no reply and may have succeeded: look the media up in VOD before uploading again");
            }

            return Fail("the VOD API refused the request");
        }

        if (code is ServiceErrorCodes.CosSlowDown or ServiceErrorCodes.CosRequestTimeout or ServiceErrorCodes.CosInternalError or ServiceErrorCodes.CosServiceUnavailable)
        {
            return Retry("COS asked to try again (" + code + ")");
        }

        if (IsTransientStatus(status))
        {
            return Retry("COS answered HTTP " + status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return Fail("COS refused the request");
    }

    /// <summary>Code of an origin failure that means its object is not the one the upload started with (FileChanged).</summary>
    public const string OriginChanged = "OriginChanged";

    /// <summary>
    /// The origin rows: a GET changes nothing at the origin, so what may pass with time is sent again (within the
    /// origin's own attempt budget); an origin that changed, refused, or answered other bytes than asked for fails
    /// at once — never as a COS retry.
    /// </summary>
    private static RetryDecision DecideForOrigin(AttemptFailure failure)
    {
        var status = failure.Status ?? 0;
        return failure.Kind switch
        {
            FailureKind.Transport when IsPermanentTransport(failure.Inner) => Fail("the connection to the origin cannot succeed as it is (its TLS certificate is not trusted, or its reply exceeds a limit)"),
            FailureKind.Transport => Retry("the connection to the origin failed or ended early; a GET changes nothing, so it is sent again"),
            FailureKind.Timeout => Retry("no data came from the origin for the inactivity timeout; a GET changes nothing, so it is sent again"),
            FailureKind.ErrorResponse when failure.Code == OriginChanged => Fail("the origin's object is no longer the one the upload started with"),
            FailureKind.ErrorResponse when IsTransientStatus(status) => Retry("the origin answered HTTP " + status.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            FailureKind.ErrorResponse => Fail("the origin refused the request"),
            _ => Fail("the origin's reply cannot be used as the bytes asked for"),
        };
    }

    /// <summary>A transport failure that repeats identically: an untrusted certificate, a reply over a configured limit.</summary>
    private static bool IsPermanentTransport(Exception? inner)
    {
        for (var e = inner; e is not null; e = e.InnerException)
        {
            if (e is System.Security.Authentication.AuthenticationException
                || e is HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded or HttpRequestError.SecureConnectionError })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a failure says the service wants less load (COS SlowDown, HTTP 503 or 429, the VOD API's request limit):
    /// adaptive concurrency lowers the parts in flight on it.
    /// </summary>
    public static bool IsThrottling(AttemptFailure failure) =>
        failure.Kind == FailureKind.ErrorResponse
        && (failure.Code == ServiceErrorCodes.CosSlowDown || failure.Status is 503 or 429
            || failure.Code.StartsWith(ServiceErrorCodes.VodRequestLimitExceeded, StringComparison.Ordinal));

    /// <summary>
    /// The recovery row for a failure of a <em>resumed</em> session: whether it means the interrupted session can no
    /// longer be finished (its temporary credential expired or is refused, the VOD session is unknown), so the upload
    /// abandons it and starts a fresh session — or is an ordinary failure of the upload. A VOD session refused after
    /// CommitUpload was sent is never "gone": the commit may have been applied.
    /// </summary>
    public static RecoveryDecision AfterResumedFailure(Exception failure, bool commitSent) => failure switch
    {
        CredentialExpiredException => new(RecoveryAction.StartFresh, "the interrupted upload's temporary credential expired"),
        CosException { Code: "AccessDenied" or "InvalidAccessKeyId" or "ExpiredToken" or "InvalidToken" } e =>
            new(RecoveryAction.StartFresh, "COS refuses the interrupted upload's temporary credential (" + e.Code + ")"),
        VodApiException { Code: "InvalidParameterValue.VodSessionKey" } when !commitSent =>
            new(RecoveryAction.StartFresh, "the VOD API no longer knows the interrupted upload's session"),
        _ => new(RecoveryAction.Fail, "an ordinary failure: the checkpoint is kept"),
    };

    /// <summary>HTTP statuses worth another attempt whatever the body says: 5xx, 429, 408.</summary>
    public static bool IsTransientStatus(int status) => status >= 500 || status is 429 or 408;

    private static RetryDecision Retry(string reason) => new(RetryAction.Retry, reason);

    private static RetryDecision Fail(string reason) => new(RetryAction.Fail, reason);
}
