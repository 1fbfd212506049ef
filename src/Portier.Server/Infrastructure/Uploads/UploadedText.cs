using System.Text;

namespace Portier.Server.Infrastructure.Uploads;

/// <summary>Where an uploaded file stops being text Portier can store, and why.</summary>
public sealed record UnreadableText(int Row, int ByteOffset, string Reason);

/// <summary>
/// An uploaded file (CSV, iCalendar) read as text: strict UTF-8 with a byte-order mark skipped, so a
/// file saved in another encoding is refused where it goes wrong instead of importing names full of
/// U+FFFD; and without U+0000, which PostgreSQL cannot store in text and no name or code needs.
/// </summary>
public static class UploadedText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string? Decode(byte[] bytes, out UnreadableText? unreadable)
    {
        unreadable = null;
        var start = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        try
        {
            var text = StrictUtf8.GetString(bytes, start, bytes.Length - start);
            if (bytes.AsSpan(start).IndexOf((byte)0) is >= 0 and var nul)
            {
                unreadable = At(bytes, start + nul, "holds the character U+0000");
                return null;
            }
            return text;
        }
        catch (DecoderFallbackException e)
        {
            unreadable = At(bytes, start + e.Index, "is not valid UTF-8");
            return null;
        }
    }

    private static UnreadableText At(byte[] bytes, int offset, string reason) =>
        new(1 + bytes.AsSpan(0, offset).Count((byte)'\n'), offset, reason);
}
