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

    public int Rents => Volatile.Read(ref _rented);

    public int Returns => Volatile.Read(ref _returned);

    public int PeakOutstanding => Volatile.Read(ref _peak);

    public override byte[] Rent(int minimumLength)
    {
        Interlocked.Increment(ref _rented);
        var now = Interlocked.Increment(ref _out);
        int peak;
        while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }

        return _inner.Rent(minimumLength);
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        Interlocked.Increment(ref _returned);
        Interlocked.Decrement(ref _out);
        _inner.Return(array, clearArray);
    }
}
