using System.Runtime.ExceptionServices;

namespace VodRaw.Transfer;

/// <summary>
/// Uploads one object: a single PUT when it fits in one part, otherwise a multipart upload with parts read into
/// pooled buffers, checked with CRC-64 while in memory, sent in parallel (bounded by the shared buffer pool), and
/// completed in order. On a permanent failure or cancellation it stops the other parts, aborts the multipart upload
/// on a timer of its own, and rethrows the original error — unless the upload is resumable
/// (<paramref name="keepOnInterrupt"/>): then the multipart upload stays open for the checkpoint to resume, and only
/// a file that changed is aborted (its parts can never be used). With <paramref name="streamParts"/>, a file's parts
/// (and a file sent with one PUT) are not read into part buffers at all: each is read chunk by chunk while it is sent
/// (<see cref="PartData.Streamed"/>), so a part in flight holds one chunk; streams, and uploads that send Content-MD5,
/// still hold whole parts. With
/// <paramref name="adaptive"/>, every confirmed part and PUT is reported to it, and it moves the pool's gate.
/// </summary>
internal sealed class ObjectUploader(PartBufferPool pool, ProgressTracker progress, UploadLedger ledger, TimeSpan abortTimeout, bool keepOnInterrupt = false, bool streamParts = false,
    AdaptiveConcurrency? adaptive = null)
{
    /// <summary>
    /// Uploads <paramref name="source"/> to <paramref name="target"/>; returns the bytes sent. A <paramref name="journal"/>
    /// hears of the UploadId and every confirmed part; <paramref name="resumed"/> continues a multipart upload whose
    /// confirmed parts it holds (those are neither read nor sent again).
    /// </summary>
    public async Task<long> UploadAsync(IPartSource source, IMultipartTarget target, long partSize, int concurrency, CancellationToken cancellationToken,
        IObjectJournal journal, MultipartState? resumed = null)
    {
        if (source.Length is { } known)
        {
            var parts = PartPlan.Create(known, partSize);
            source.PlanParts(parts.IsSinglePut ? Math.Max(1, known) : parts.PartSize);
        }

        if (resumed is not null)
        {
            var plan = PartPlan.Create(source.Length!.Value, partSize);
            return await MultipartAsync(source, target, plan.PartSize, plan.PartCount, concurrency, firstPart: null, cancellationToken, journal, resumed).ConfigureAwait(false);
        }

        if (source.Length is { } length)
        {
            var plan = PartPlan.Create(length, partSize);
            if (plan.IsSinglePut)
            {
                await PutAsync(source, target, (int)length, cancellationToken).ConfigureAwait(false);
                journal.Completed(length);
                return length;
            }

            return await MultipartAsync(source, target, plan.PartSize, plan.PartCount, concurrency, firstPart: null, cancellationToken, journal, null).ConfigureAwait(false);
        }

        // Unknown length: read the first part to learn whether one PUT is enough.
        var first = await pool.RentAsync(checked((int)partSize), cancellationToken).ConfigureAwait(false);
        try
        {
            var (n, crc) = await source.ReadHashedAsync(0, first.Memory, cancellationToken).ConfigureAwait(false);
            source.EnsureUnchanged(null);
            if (n < partSize)
            {
                progress.AddToTotal(n);
                await SendPutAsync(target, PartData.Held(first.Memory[..n], crc), cancellationToken).ConfigureAwait(false);
                journal.Completed(n);
                return n;
            }

            var handoff = new PartReader.Part(1, first, n, crc);
            first = null;
            return await MultipartAsync(source, target, partSize, partCount: null, concurrency, handoff, cancellationToken, journal, null).ConfigureAwait(false);
        }
        finally
        {
            first?.Dispose();
        }
    }

    private async Task PutAsync(IPartSource source, IMultipartTarget target, int length, CancellationToken cancellationToken)
    {
        if (streamParts && source.ReadsWhileSending && length > 0)
        {
            // Like a streamed part: one chunk reserved, the file read while it is sent, then checked unchanged.
            using var slot = await pool.ReserveAsync(Math.Min(length, PartContent.ChunkSize), cancellationToken).ConfigureAwait(false);
            await SendPutAsync(target, PartData.Streamed(source, 0, length, pool.Arrays), cancellationToken).ConfigureAwait(false);
            source.EnsureUnchanged(null);
            return;
        }

        using var buffer = await pool.RentAsync(length, cancellationToken).ConfigureAwait(false);
        var (n, crc) = await source.ReadHashedAsync(0, buffer.Memory, cancellationToken).ConfigureAwait(false);
        source.EnsureUnchanged(n == length ? null : $"{n} of {length} bytes could be read");
        await SendPutAsync(target, PartData.Held(buffer.Memory, crc), cancellationToken).ConfigureAwait(false);
    }

    private async Task SendPutAsync(IMultipartTarget target, PartData data, CancellationToken cancellationToken)
    {
        var part = progress.StartPart();
        var ok = false;
        var started = adaptive?.Timestamp() ?? 0;
        try
        {
            ledger.WriteStarted();
            await target.PutObjectAsync(data, part, cancellationToken).ConfigureAwait(false);
            ledger.ObjectStored();
            adaptive?.PartCompleted(data.Length, started);
            ok = true;
        }
        finally
        {
            part.Finish(ok, data.Length);
        }
    }

    private async Task<long> MultipartAsync(
        IPartSource source, IMultipartTarget target, long partSize, int? partCount, int concurrency, PartReader.Part? firstPart, CancellationToken cancellationToken,
        IObjectJournal journal, MultipartState? resumed)
    {
        string uploadId;
        try
        {
            ledger.WriteStarted();
            if (resumed is not null)
            {
                uploadId = resumed.UploadId;
            }
            else
            {
                uploadId = await target.InitiateAsync(cancellationToken).ConfigureAwait(false);
                await journal.InitiatedAsync(uploadId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            firstPart?.Buffer.Dispose();
            if (e is VodRawException { OpenUploads.Count: > 0 } v)
            {
                ledger.LeftOpen(v.OpenUploads);
            }

            throw;
        }
        finally
        {
            ledger.LeftOpen(target.StrayUploads);
        }

        var state = resumed ?? new MultipartState(uploadId);
        var skip = resumed?.PartNumbers();
        long resumedBytes = 0;
        foreach (var p in resumed?.SortedParts() ?? [])
        {
            resumedBytes += p.Size;
        }

        var completeSent = false;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = new PartReader(source, partSize, partCount, firstPart, skip: skip, streamed: streamParts && source.ReadsWhileSending && partCount is not null);
        try
        {
            var remaining = (partCount ?? concurrency) - (skip?.Count ?? 0);
            var workers = new Task[Math.Max(1, Math.Min(concurrency, remaining))];
            for (var i = 0; i < workers.Length; i++)
            {
                workers[i] = WorkerAsync(reader, target, state, stop, journal);
            }

            await Task.WhenAll(workers).ConfigureAwait(false);
            var parts = state.SortedParts();
            long total = 0;
            foreach (var p in parts)
            {
                total += p.Size;
            }

            // The CRC-64 of the assembled object is checked against the parts' by the target.
            completeSent = true;
            await target.CompleteAsync(uploadId, parts, cancellationToken).ConfigureAwait(false);
            ledger.ObjectStored();
            journal.Completed(0);
            return total - resumedBytes;
        }
        catch (Exception caught)
        {
            // Siblings stopped by the first failure throw cancellations; report the failure that started it.
            var error = state.FirstError ?? caught;
            await stop.CancelAsync().ConfigureAwait(false);
            reader.Dispose();
            if (keepOnInterrupt && error is not FileChangedException)
            {
                // Resumable: the upload and its confirmed parts stay for the checkpoint (a resume reconciles with ListParts).
                ledger.KeptForResume();
                ThrowInterrupted(error, cancellationToken);
                throw;
            }

            // Cleanup never depends on the caller's (possibly cancelled) token.
            using (var abortCts = new CancellationTokenSource(abortTimeout))
            {
                try
                {
                    if (await target.AbortAsync(uploadId, abortCts.Token).ConfigureAwait(false))
                    {
                        ledger.MultipartAborted();
                    }
                    else if (completeSent)
                    {
                        // Gone although Complete was the last thing sent: the Complete was applied.
                        ledger.ObjectStored();
                    }
                    else
                    {
                        ledger.MultipartAborted();
                    }
                }
                catch (Exception abortError) when (abortError is VodRawException or OperationCanceledException)
                {
                    var open = new OpenMultipartUpload(target.Bucket, target.Key, uploadId, "abort failed: " + abortError.Message);
                    ledger.LeftOpen([open]);
                    if (error is VodRawException v)
                    {
                        error = v.With(v.CheckpointId, [.. v.OpenUploads, open]);
                    }
                }
            }

            ThrowInterrupted(error, cancellationToken);
            throw;
        }
        finally
        {
            reader.Dispose();
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowInterrupted(Exception error, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested && error is not OperationCanceledException)
        {
            throw new OperationCanceledException("The upload was cancelled.", error, cancellationToken);
        }

        ExceptionDispatchInfo.Throw(error);
        throw error;
    }

    private async Task WorkerAsync(PartReader reader, IMultipartTarget target, MultipartState state, CancellationTokenSource stop, IObjectJournal journal)
    {
        var token = stop.Token;
        try
        {
            while (true)
            {
                var next = await reader.NextAsync(pool, token).ConfigureAwait(false);
                if (next is not { } part)
                {
                    return;
                }

                using var buffer = part.Buffer;
                var partProgress = progress.StartPart();
                var ok = false;
                var started = adaptive?.Timestamp() ?? 0;
                try
                {
                    var completed = await target.UploadPartAsync(state.UploadId, part.Number, part.Data(reader.Source, pool.Arrays), partProgress, token).ConfigureAwait(false);
                    if (part.Streamed)
                    {
                        // A streamed part was read while it was sent: the file must still be what it was.
                        reader.Source.EnsureUnchanged(null);
                    }

                    state.Add(completed);
                    journal.PartCompleted(completed);
                    adaptive?.PartCompleted(part.Size, started);
                    ok = true;
                }
                finally
                {
                    partProgress.Finish(ok, part.Size);
                }
            }
        }
        catch (Exception e)
        {
            // The first failure stops the siblings.
            if (!(e is OperationCanceledException && token.IsCancellationRequested))
            {
                state.RecordError(e);
            }

            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }
}
