namespace Portier.Core.Policy;

/// <summary>Fixed-width bit sets stored in ulong words; a set of width n uses (n + 63) / 64 words.</summary>
internal static class Bits
{
    public static int Words(int width) => (width + 63) >> 6;

    public static void Set(ulong[] bits, int offset, int index) =>
        bits[offset + (index >> 6)] |= 1UL << (index & 63);

    public static bool Test(ulong[] bits, int index) =>
        (bits[index >> 6] & (1UL << (index & 63))) != 0;
}
