namespace Portier.Core.Model;

/// <summary>
/// Version 7 ids that sort in the order this process made them, even within one millisecond: lists
/// break ties of equal times by id (the audit trail, alarms, a zone's latest count), so a later record
/// must never sort before an earlier one. <see cref="Guid.CreateVersion7()"/> fills the bits after the
/// millisecond at random; here the first 12 of them count up within the millisecond (RFC 9562, method 1).
/// </summary>
public static class SequentialIds
{
    private const int CounterLimit = 0x1000;
    private static readonly Lock Gate = new();
    private static long _lastMillis;
    private static int _counter;

    public static Guid Next()
    {
        long millis;
        int counter;
        lock (Gate)
        {
            var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
            if (now > _lastMillis)
            {
                _lastMillis = now;
                _counter = 0;
            }
            else if (++_counter == CounterLimit)
            {
                // 4,096 ids in one millisecond: borrow the next one rather than repeat an order.
                _lastMillis++;
                _counter = 0;
            }
            millis = _lastMillis;
            counter = _counter;
        }
        Span<byte> bytes = stackalloc byte[16];
        Guid.CreateVersion7(DateTimeOffset.FromUnixTimeMilliseconds(millis)).TryWriteBytes(bytes, bigEndian: true, out _);
        bytes[6] = (byte)(0x70 | (counter >> 8));
        bytes[7] = (byte)counter;
        return new Guid(bytes, bigEndian: true);
    }
}
