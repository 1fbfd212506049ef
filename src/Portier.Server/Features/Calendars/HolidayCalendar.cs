using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Calendars;
using Portier.Core.Model;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Calendars;

/// <summary>
/// A named holiday calendar: shared (<see cref="SiteId"/> null, every site follows it) or one site's own.
/// Its entries are kept with it, since they are always read and edited together.
/// </summary>
public sealed class HolidayCalendar : IAudited, IPolicyDefinition
{
    public const int MaxEntries = 1000;

    public Guid Id { get; init; } = SequentialIds.Next();
    /// <summary>Null = shared by every site.</summary>
    public Guid? SiteId { get; init; }
    public required string Name { get; set; }
    public List<CalendarEntryData> Entries { get; set; } = [];
    public Instant CreatedAt { get; init; }
    public Instant UpdatedAt { get; set; }
}

/// <summary>
/// One entry as stored and as the API carries it: a date or an inclusive range ("yyyy-MM-dd"; end
/// omitted = one day), one-off or yearly, with its effect and, for special hours or special
/// auto-unlock, its windows (none for special auto-unlock = no auto-unlock that day).
/// </summary>
public sealed record CalendarEntryData(
    Guid Id,
    string Name,
    string Start,
    string End,
    bool Yearly,
    CalendarDayEffect Effect,
    IReadOnlyList<DayWindowData> Windows);

/// <summary>A window of one day in the site's local time: "HH:mm" start inclusive, "HH:mm" end exclusive, "24:00" = end of day.</summary>
public sealed record DayWindowData(string Start, string End);

internal sealed class HolidayCalendarConfiguration : IEntityTypeConfiguration<HolidayCalendar>
{
    public void Configure(EntityTypeBuilder<HolidayCalendar> b)
    {
        b.ToTable("holiday_calendars");
        b.HasOne<Site>().WithMany().HasForeignKey(c => c.SiteId).OnDelete(DeleteBehavior.Cascade);
        b.Property(c => c.Name).HasMaxLength(200);
        b.Property(c => c.Entries).HasJsonConversion();
        b.HasIndex(c => new { c.SiteId, c.Name });
    }
}
