using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Portier.Server.Tests.Fuzzing;

/// <summary>
/// FsCheck generators of byte-level edits that turn a valid input into the inputs a parser meets at
/// its edges: flipped bits, cut and repeated spans, JSON and CSV punctuation, extreme numbers,
/// invalid UTF-8, control characters. Positions are fractions of the input, so one edit fits any length.
/// </summary>
public static class Edits
{
    private static readonly string[] Tokens =
    [
        "\"", "\\", "{", "}", "[", "]", ",", ":", ";", "\r\n", "\n", "\t", "null", "true", "\"\"", "[]", "{}",
        "-1", "0", "1e309", "-0", "99999999999999999999", "-9223372036854775809", "2147483648", "NaN", "1.5",
        "\0", "\u0085", "\u2028", "\uFEFF", "\uFFFF", "é", "🚪", "%00", "'", "../", "<script>", "=", "==", ".", "AAAA",
        "\"v\":2", "\"v\":1", "\"kind\":\"pin\"", "\"value\":\"\"", "\"scanId\":\"00000000-0000-0000-0000-000000000000\"",
        "00000000-0000-0000-0000-000000000000", "2026-02-30T25:61:00Z", "2026-03-02T09:00:00", "9999-12-31T23:59:59Z",
        new string('x', 5000), new string('[', 300), new string('{', 300),
    ];

    private static readonly byte[][] RawTokens = [[0xC3], [0xFF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xC0, 0xAF]];

    private delegate byte[] Edit(byte[] input);

    private static int At(int fraction, int length) => (int)((long)fraction * (length + 1) / 10_001);

    private static readonly Gen<int> Fraction = Gen.Choose(0, 10_000);

    private static readonly Gen<Edit> OneEdit = Gen.OneOf(
        from position in Fraction
        from bit in Gen.Choose(0, 7)
        select (Edit)(input => input.Length == 0 ? input : FlipBit(input, At(position, input.Length - 1), bit)),
        from start in Fraction
        from length in Gen.Choose(1, 40)
        select (Edit)(input => Cut(input, At(start, input.Length), length)),
        from start in Fraction
        from length in Gen.Choose(1, 40)
        from times in Gen.Choose(2, 20)
        select (Edit)(input => Repeat(input, At(start, input.Length), length, times)),
        from position in Fraction
        from token in Gen.Elements(Tokens)
        select (Edit)(input => Insert(input, At(position, input.Length), Encoding.UTF8.GetBytes(token))),
        from position in Fraction
        from token in Gen.Elements(RawTokens)
        select (Edit)(input => Insert(input, At(position, input.Length), token)),
        from position in Fraction
        select (Edit)(input => input[..At(position, input.Length)]));

    /// <summary>One to five edits of <paramref name="valid"/>.</summary>
    public static Gen<byte[]> Of(byte[] valid) =>
        from edits in Gen.Choose(1, 5).SelectMany(n => OneEdit.ArrayOf(n))
        select edits.Aggregate(valid, (input, edit) => edit(input));

    /// <summary>Mostly edits of one of the valid inputs, sometimes bytes with no structure at all.</summary>
    public static Gen<byte[]> Around(params byte[][] valid) => Gen.Frequency(
        (9, Gen.Elements(valid).SelectMany(Of)),
        (1, Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf()));

    /// <summary>The same for text: edits that leave invalid UTF-8 are read back with replacement characters.</summary>
    public static Gen<string> Around(params string[] valid) =>
        Around([.. valid.Select(Encoding.UTF8.GetBytes)]).Select(Encoding.UTF8.GetString);

    private static byte[] FlipBit(byte[] input, int at, int bit)
    {
        var copy = (byte[])input.Clone();
        copy[at] ^= (byte)(1 << bit);
        return copy;
    }

    private static byte[] Cut(byte[] input, int start, int length) =>
        [.. input.AsSpan(0, start), .. input.AsSpan(Math.Min(input.Length, start + length))];

    private static byte[] Repeat(byte[] input, int start, int length, int times)
    {
        var span = input.AsSpan(start, Math.Min(length, input.Length - start)).ToArray();
        return [.. input.AsSpan(0, start), .. Enumerable.Repeat(span, times).SelectMany(s => s), .. input.AsSpan(start + span.Length)];
    }

    private static byte[] Insert(byte[] input, int at, byte[] token) => [.. input.AsSpan(0, at), .. token, .. input.AsSpan(at)];

    /// <summary>
    /// <paramref name="count"/> cases, drawn in batches from consecutive seeds, so a run is repeatable
    /// from its first seed and memory stays flat however many cases are asked for.
    /// </summary>
    public static IEnumerable<T> Draw<T>(Gen<T> gen, int count, ulong seed)
    {
        const int Batch = 500;
        for (var drawn = 0; drawn < count; drawn += Batch)
        {
            foreach (var item in gen.Sample(Math.Min(Batch, count - drawn), new Rnd(seed + (ulong)(drawn / Batch), 0x9E3779B97F4A7C15), 30))
                yield return item;
        }
    }
}
