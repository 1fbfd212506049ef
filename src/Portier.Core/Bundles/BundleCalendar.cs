using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Portier.Core.Calendars;

namespace Portier.Core.Bundles;

/// <summary>
/// A holiday calendar entry as a bundle carries it (in <see cref="BundleSite.Calendar"/>): dates as
/// "yyyy-MM-dd" (<see cref="End"/> inclusive), <see cref="Effect"/> closed / special_hours /
/// special_auto_unlock, windows in the site's local time ("HH:mm", end exclusive, "24:00" = end of day).
/// </summary>
public sealed record BundleCalendarEntry(Guid Id, string Name, string Start, string End, bool Yearly, string Effect, IReadOnlyList<BundleWindow> Windows);

/// <summary>One window of a calendar day: start inclusive, end exclusive, "HH:mm", "24:00" = end of day.</summary>
public sealed record BundleWindow(string Start, string End);

/// <summary>Calendar entries between the model and the bundle's wire form.</summary>
public static class BundleCalendar
{
    private static readonly LocalDatePattern Date = LocalDatePattern.Iso;
    private static readonly LocalTimePattern Clock = LocalTimePattern.CreateWithInvariantCulture("HH':'mm");

    public static string Of(CalendarDayEffect effect) => effect switch
    {
        CalendarDayEffect.Closed => "closed",
        CalendarDayEffect.SpecialHours => "special_hours",
        CalendarDayEffect.SpecialAutoUnlock => "special_auto_unlock",
        _ => throw new ArgumentOutOfRangeException(nameof(effect), effect, null),
    };

    public static CalendarDayEffect? EffectOf(string name) => name switch
    {
        "closed" => CalendarDayEffect.Closed,
        "special_hours" => CalendarDayEffect.SpecialHours,
        "special_auto_unlock" => CalendarDayEffect.SpecialAutoUnlock,
        _ => null,
    };

    public static BundleCalendarEntry ToWire(CalendarEntryDefinition entry) => new(
        entry.Id, entry.Name, Date.Format(entry.Start), Date.Format(entry.End), entry.Yearly, Of(entry.Effect),
        [.. entry.Windows.Select(w => new BundleWindow(Clock.Format(w.Start), w.EndsAtMidnight ? "24:00" : Clock.Format(w.End)))]);

    /// <summary>Throws <see cref="FormatException"/> for a date, time or effect it cannot read.</summary>
    public static CalendarEntryDefinition FromWire(BundleCalendarEntry entry) =>
        new(entry.Id, entry.Name, ParseDate(entry.Start), ParseDate(entry.End),
            EffectOf(entry.Effect) ?? throw new FormatException($"Calendar entry {entry.Id} has effect '{entry.Effect}'."))
        {
            Yearly = entry.Yearly,
            Windows = [.. entry.Windows.Select(ToWindow)],
        };

    private static DayWindow ToWindow(BundleWindow window)
    {
        try
        {
            return new DayWindow(ParseTime(window.Start), window.End == "24:00" ? LocalTime.Midnight : ParseTime(window.End));
        }
        catch (ArgumentException e)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"Window {window.Start}–{window.End}: {e.Message}"), e);
        }
    }

    private static LocalDate ParseDate(string text) =>
        Date.Parse(text) is { Success: true } result ? result.Value : throw new FormatException($"'{text}' is not a date as yyyy-MM-dd.");

    private static LocalTime ParseTime(string text) =>
        Clock.Parse(text) is { Success: true } result ? result.Value : throw new FormatException($"'{text}' is not a time of day as HH:mm.");
}
