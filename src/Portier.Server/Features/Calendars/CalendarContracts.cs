using NodaTime;
using NodaTime.Text;
using Portier.Core.Calendars;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Calendars;

/// <summary>Create or replace a calendar. <see cref="SiteId"/> null = shared by every site; it never changes afterwards.</summary>
public sealed record CalendarRequest(string Name, Guid? SiteId = null, IReadOnlyList<CalendarEntryRequest>? Entries = null) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.NotBlank(Name, "name");
        if (SiteId == Guid.Empty) errors.Add("siteId", "Give a site id, or leave it out for a calendar shared by every site.");
        var entries = Entries ?? [];
        errors.Require(entries.Count <= HolidayCalendar.MaxEntries, "entries", $"At most {HolidayCalendar.MaxEntries} entries.");
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is null) errors.Add($"entries[{i}]", "Is required.");
            else entries[i].Validate(errors, $"entries[{i}].");
        }
        var ids = entries.Where(e => e?.Id is not null).Select(e => e.Id!.Value).ToList();
        errors.Require(ids.Count == ids.Distinct().Count(), "entries", "Two entries have the same id.");
    }
}

/// <summary>
/// One entry: <see cref="Start"/> and <see cref="End"/> as yyyy-MM-dd (end inclusive, omitted = one day),
/// <see cref="Yearly"/> to repeat it every year, the effect (closed, special_hours, special_auto_unlock) and
/// for the special ones its windows. <see cref="Id"/> keeps an existing entry's id on a replace.
/// </summary>
public sealed record CalendarEntryRequest(
    string Name,
    string Start,
    string? End = null,
    bool Yearly = false,
    CalendarDayEffect Effect = CalendarDayEffect.Closed,
    IReadOnlyList<DayWindowData>? Windows = null,
    Guid? Id = null) : IValidatable
{
    public const int MaxWindows = 24;

    private static readonly LocalDatePattern Date = LocalDatePattern.Iso;
    private static readonly LocalTimePattern Clock = LocalTimePattern.CreateWithInvariantCulture("HH':'mm");

    public void Validate(ValidationErrors errors) => Validate(errors, "");

    public void Validate(ValidationErrors errors, string prefix)
    {
        errors.NotBlank(Name, $"{prefix}name");
        var start = ParseDate(Start);
        var end = End is null ? start : ParseDate(End);
        if (start is null) errors.Add($"{prefix}start", "Must be a date as yyyy-MM-dd.");
        if (End is not null && end is null) errors.Add($"{prefix}end", "Must be a date as yyyy-MM-dd.");
        if (start is { } s && end is { } e)
        {
            var days = Period.DaysBetween(s, e);
            if (days < 0) errors.Add($"{prefix}end", "Must be on or after the start.");
            else if (days >= CalendarEntryDefinition.MaxDays) errors.Add($"{prefix}end", $"A range lasts at most {CalendarEntryDefinition.MaxDays} days.");
        }
        if (!Enum.IsDefined(Effect)) errors.Add($"{prefix}effect", "Must be closed, special_hours or special_auto_unlock.");
        var windows = Windows ?? [];
        if (Effect == CalendarDayEffect.Closed && windows.Count > 0)
            errors.Add($"{prefix}windows", "A closed day has no windows; use special_hours to open it for part of the day.");
        if (Effect == CalendarDayEffect.SpecialHours && windows.Count == 0)
            errors.Add($"{prefix}windows", "Special hours need at least one window; use closed to close the whole day.");
        errors.Require(windows.Count <= MaxWindows, $"{prefix}windows", $"At most {MaxWindows} windows.");
        var parsed = new List<(int Index, DayWindow Window)>();
        for (var i = 0; i < windows.Count; i++)
        {
            var at = $"{prefix}windows[{i}]";
            if (windows[i] is not { } w) { errors.Add(at, "Is required."); continue; }
            var from = ParseTime(w.Start, endOfDay: false);
            var to = ParseTime(w.End, endOfDay: true);
            if (from is null) errors.Add($"{at}.start", "Must be a time HH:mm from 00:00 to 23:59.");
            if (to is null) errors.Add($"{at}.end", "Must be a time HH:mm from 00:01 to 24:00.");
            if (from is not { } f || to is not { } t) continue;
            if (t != LocalTime.Midnight && t <= f) { errors.Add($"{at}.end", "Must be after the start."); continue; }
            var window = new DayWindow(f, t);
            var overlap = parsed.FirstOrDefault(p => p.Window.Overlaps(window));
            if (parsed.Any(p => p.Window.Overlaps(window))) errors.Add(at, $"Overlaps {prefix}windows[{overlap.Index}].");
            parsed.Add((i, window));
        }
    }

    /// <summary>The stored form of a valid request, keeping <paramref name="id"/>.</summary>
    public CalendarEntryData ToData(Guid id) => new(id, Name.Trim(), Start, End ?? Start, Yearly, Effect,
        Effect == CalendarDayEffect.Closed ? [] : [.. Windows ?? []]);

    public static CalendarEntryDefinition ToCore(CalendarEntryData entry) =>
        new(entry.Id, entry.Name, ParseDate(entry.Start) ?? throw new FormatException($"Entry {entry.Id} starts on '{entry.Start}'."),
            ParseDate(entry.End) ?? throw new FormatException($"Entry {entry.Id} ends on '{entry.End}'."), entry.Effect)
        {
            Yearly = entry.Yearly,
            Windows = [.. entry.Windows.Select(w => new DayWindow(ParseTime(w.Start, false) ?? LocalTime.Midnight, ParseTime(w.End, true) ?? LocalTime.Midnight))],
        };

    public static LocalDate? ParseDate(string? text) =>
        text is not null && Date.Parse(text) is { Success: true } result ? result.Value : null;

    private static LocalTime? ParseTime(string? text, bool endOfDay)
    {
        if (text is null) return null;
        if (text == "24:00") return endOfDay ? LocalTime.Midnight : null;
        var result = Clock.Parse(text);
        if (!result.Success || (endOfDay && result.Value == LocalTime.Midnight)) return null;
        return result.Value;
    }
}

public sealed record CalendarResponse(
    Guid Id,
    Guid? SiteId,
    string Name,
    bool Shared,
    IReadOnlyList<CalendarEntryData> Entries,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static CalendarResponse From(HolidayCalendar c) =>
        new(c.Id, c.SiteId, c.Name, c.SiteId is null, c.Entries, c.CreatedAt.ToDateTimeOffset(), c.UpdatedAt.ToDateTimeOffset());
}

/// <summary>
/// What an .ics upload gives: the entries it creates (<see cref="DryRun"/>: would create), and the
/// events it leaves out with why (a timed event, a recurrence other than yearly, a range too long).
/// </summary>
public sealed record IcsImportResult(bool DryRun, IReadOnlyList<CalendarEntryData> Entries, IReadOnlyList<IcsSkippedEvent> Skipped);

public sealed record IcsSkippedEvent(string? Uid, string Name, string Reason);

/// <summary>A calendar changed, as the live stream and webhooks announce it.</summary>
public sealed record CalendarChangedPayload(Guid CalendarId, Guid? SiteId, string Name, string Change, int EntryCount);
