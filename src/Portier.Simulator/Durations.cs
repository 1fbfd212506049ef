using System.Globalization;

namespace Portier.Simulator;

/// <summary>Reads "500ms", "30s", "2m", "1h" (a bare number is seconds).</summary>
public static class Durations
{
    public static TimeSpan? Parse(string text)
    {
        var (number, unit) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], TimeSpan.FromMilliseconds(1)),
            _ when text.EndsWith('s') => (text[..^1], TimeSpan.FromSeconds(1)),
            _ when text.EndsWith('m') => (text[..^1], TimeSpan.FromMinutes(1)),
            _ when text.EndsWith('h') => (text[..^1], TimeSpan.FromHours(1)),
            _ => (text, TimeSpan.FromSeconds(1)),
        };
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? unit * value
            : null;
    }
}
