using System.Buffers;

namespace VodRaw.Tests.Support;

/// <summary>An array pool that counts rents and returns, and remembers the largest number out at once.</summary>
internal sealed class CountingArrayPool : ArrayPool<byte>
{
    private readonly ArrayPool<byte> _inner = Create();
    private int _rented;
    private int _returned;
    private int _out;
    private int _peak;
    private long _outBytes;
    private long _peakBytes;

    public int Rents => Volatile.Read(ref _rented);

    public int Returns => Volatile.Read(ref _returned);

    public int PeakOutstanding => Volatile.Read(ref _peak);

    /// <summary>The most bytes (arrays' lengths) out at once.</summary>
    public long PeakOutstandingBytes => Interlocked.Read(ref _peakBytes);

    public override byte[] Rent(int minimumLength)
    {
        Interlocked.Increment(ref _rented);
        var now = Interlocked.Increment(ref _out);
        int peak;
        while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }

        var array = _inner.Rent(minimumLength);
        var bytes = Interlocked.Add(ref _outBytes, array.Length);
        long peakBytes;
        while (bytes > (peakBytes = Interlocked.Read(ref _peakBytes)) && Interlocked.CompareExchange(ref _peakBytes, bytes, peakBytes) != peakBytes)
        {
        }

        return array;
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        Interlocked.Increment(ref _returned);
        Interlocked.Decrement(ref _out);
        Interlocked.Add(ref _outBytes, -array.Length);
        _inner.Return(array, clearArray);
    }
}
