using System.Globalization;
using System.Text;

namespace Portier.Server.Infrastructure.Logging;

/// <summary>
/// Makes a string from outside (an MQTT client id, a user name, a URL, a topic) safe to write into
/// a log line: control characters become visible escapes (<c>\r</c>, <c>\n</c>, <c>\t</c>,
/// <c>\u001b</c>), so a value cannot start a forged line or drive a terminal, and very long values
/// are cut.
/// </summary>
public static class LogSafe
{
    public const int MaxLength = 500;

    public static string Escape(string? value)
    {
        if (value is null) return "";
        var cut = value.Length > MaxLength;
        var text = cut ? value[..MaxLength] : value;
        if (!text.Any(NeedsEscape)) return cut ? text + "…" : text;
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when NeedsEscape(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        if (cut) escaped.Append('…');
        return escaped.ToString();
    }

    /// <summary>C0 and C1 controls, and the Unicode line and paragraph separators some viewers break lines on.</summary>
    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085';
}
