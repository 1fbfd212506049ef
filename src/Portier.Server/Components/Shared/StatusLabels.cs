using System.Globalization;

namespace Portier.Server.Components.Shared;

/// <summary>
/// How a membership status reads on screen. The stored value stays the code a source system sent;
/// common codes get the manual's words, any other is title-cased ("frozen_by_admin" → "Frozen By Admin").
/// </summary>
public static class StatusLabels
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["active"] = "Active",
        ["current"] = "Current",
        ["expired"] = "Expired",
        ["on_hold"] = "On hold",
        ["onhold"] = "On hold",
        ["on hold"] = "On hold",
        ["on-hold"] = "On hold",
        ["cancelled"] = "Cancelled",
        ["canceled"] = "Cancelled",
        ["pending"] = "Pending",
    };

    public static string Label(string? status)
    {
        if (string.IsNullOrWhiteSpace(status)) return "";
        var code = status.Trim();
        if (Known.TryGetValue(code, out var label)) return label;
        var words = code.Replace('_', ' ').Replace('-', ' ').ToLowerInvariant();
        return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(words);
    }
}
