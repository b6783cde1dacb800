using System.Runtime.ExceptionServices;

namespace VodRaw.Transfer;

/// <summary>
/// Uploads one object: a single PUT when it fits in one part, otherwise a multipart upload with parts read into
/// pooled buffers, checked with CRC-64 while in memory, sent in parallel (bounded by the shared buffer pool), and
/// completed in order. On a permanent failure or cancellation it stops the other parts, aborts the multipart upload
/// on a timer of its own, and rethrows the original error.
/// </summary>
internal sealed class ObjectUploader(PartBufferPool pool, ProgressTracker progress, UploadLedger ledger, TimeSpan abortTimeout)
{
    /// <summary>Uploads <paramref name="source"/> to <paramref name="target"/>; returns the bytes uploaded.</summary>
    public async Task<long> UploadAsync(IPartSource source, IMultipartTarget target, long partSize, int concurrency, CancellationToken cancellationToken)
    {
        if (source.Length is { } length)
        {
            var plan = PartPlan.Create(length, partSize);
            if (plan.IsSinglePut)
            {
                await PutAsync(source, target, (int)length, cancellationToken).ConfigureAwait(false);
                return length;
            }

            return await MultipartAsync(source, target, plan.PartSize, plan.PartCount, concurrency, firstPart: null, cancellationToken).ConfigureAwait(false);
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
                await SendPutAsync(target, first.Memory[..n], crc, cancellationToken).ConfigureAwait(false);
                return n;
            }

            var handoff = new PartReader.Part(1, first, n, crc);
            first = null;
            return await MultipartAsync(source, target, partSize, partCount: null, concurrency, handoff, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            first?.Dispose();
        }
    }

    private async Task PutAsync(IPartSource source, IMultipartTarget target, int length, CancellationToken cancellationToken)
    {
        using var buffer = await pool.RentAsync(length, cancellationToken).ConfigureAwait(false);
        var (n, crc) = await source.ReadHashedAsync(0, buffer.Memory, cancellationToken).ConfigureAwait(false);
        source.EnsureUnchanged(n == length ? null : $"{n} of {length} bytes could be read");
        await SendPutAsync(target, buffer.Memory, crc, cancellationToken).ConfigureAwait(false);
    }

    private async Task SendPutAsync(IMultipartTarget target, ReadOnlyMemory<byte> data, ulong crc, CancellationToken cancellationToken)
    {
        var part = progress.StartPart();
        var ok = false;
        try
        {
            ledger.WriteStarted();
            await target.PutObjectAsync(data, crc, part, cancellationToken).ConfigureAwait(false);
            ledger.ObjectStored();
            ok = true;
        }
        finally
        {
            part.Finish(ok, data.Length);
        }
    }

    private async Task<long> MultipartAsync(
        IPartSource source, IMultipartTarget target, long partSize, int? partCount, int concurrency, PartReader.Part? firstPart, CancellationToken cancellationToken)
    {
        string uploadId;
        try
        {
            ledger.WriteStarted();
            uploadId = await target.InitiateAsync(cancellationToken).ConfigureAwait(false);
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

        var state = new MultipartState(uploadId);
        var completeSent = false;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = new PartReader(source, partSize, partCount, firstPart);
        try
        {
            var workers = new Task[Math.Max(1, Math.Min(concurrency, partCount ?? concurrency))];
            for (var i = 0; i < workers.Length; i++)
            {
                workers[i] = WorkerAsync(reader, target, state, stop);
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
            return total;
        }
        catch (Exception caught)
        {
            // Siblings stopped by the first failure throw cancellations; report the failure that started it.
            var error = state.FirstError ?? caught;
            await stop.CancelAsync().ConfigureAwait(false);
            reader.Dispose();
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
                        v.OpenUploads = [.. v.OpenUploads, open];
                    }
                }
            }

            if (cancellationToken.IsCancellationRequested && error is not OperationCanceledException)
            {
                throw new OperationCanceledException("The upload was cancelled.", error, cancellationToken);
            }

            ExceptionDispatchInfo.Throw(error);
            throw;
        }
        finally
        {
            reader.Dispose();
        }
    }

    private async Task WorkerAsync(PartReader reader, IMultipartTarget target, MultipartState state, CancellationTokenSource stop)
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
                var data = buffer.Memory[..part.Size];
                var crc = part.Crc64;
                var partProgress = progress.StartPart();
                var ok = false;
                try
                {
                    state.Add(await target.UploadPartAsync(state.UploadId, part.Number, data, crc, partProgress, token).ConfigureAwait(false));
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
