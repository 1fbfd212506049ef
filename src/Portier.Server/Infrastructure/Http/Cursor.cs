using System.Buffers.Text;
using System.Globalization;
using System.Text;
using NodaTime;

namespace Portier.Server.Infrastructure.Http;

/// <summary>A page of a time-ordered list: <c>next</c> continues to older items, <c>previous</c> back to newer ones.</summary>
public sealed record CursorPage<T>(IReadOnlyList<T> Items, string? Next, string? Previous);

/// <summary>An opaque position in a list ordered by (At, Id): clients pass it back unchanged.</summary>
public readonly record struct Cursor(Instant At, Guid Id)
{
    public override string ToString() =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}.{Id:N}"));

    public static bool TryParse(string? text, out Cursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(text) || text.Length > 100) return false;
        try
        {
            var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text)).Split('.');
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var millis)
                || !Guid.TryParseExact(parts[1], "N", out var id)) return false;
            cursor = new Cursor(Instant.FromUnixTimeMilliseconds(millis), id);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
