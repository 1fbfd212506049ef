using Microsoft.EntityFrameworkCore;
using NodaTime;
using Portier.Server.Features.Doors;
using Portier.Server.Features.LiveEvents;
using Portier.Server.Features.Sites;
using Portier.Server.Features.Webhooks;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Calendars;

/// <summary>
/// Saves a calendar change and announces it: a <c>calendar.changed</c> webhook event in the same
/// transaction, then <c>CalendarChanged</c> on the live stream of every site it reaches (all of them
/// for a shared calendar). The audit entry comes with the save; the snapshot and the controllers'
/// bundles are rebuilt because a calendar is a policy definition; the door latch scheduler is woken so
/// a day's auto-unlock change takes effect at once.
/// </summary>
public sealed class CalendarChanges(TimeProvider clock, WebhookOutbox outbox, ILiveEventPublisher live, DoorLatchScheduler latches)
{
    public Instant Now => clock.GetCurrentInstant();

    public async Task SaveAsync(PortierDbContext db, HolidayCalendar calendar, string change, CancellationToken ct)
    {
        var now = Now;
        if (db.Entry(calendar).State != EntityState.Deleted) calendar.UpdatedAt = now;
        var payload = new CalendarChangedPayload(calendar.Id, calendar.SiteId, calendar.Name, change, calendar.Entries.Count);
        await outbox.AddAsync(db, [new WebhookEvent(WebhookEventTypes.CalendarChanged, calendar.SiteId, now, payload)], ct);
        await db.SaveChangesAsync(ct);
        var sites = calendar.SiteId is { } siteId ? [siteId] : await db.Set<Site>().AsNoTracking().Select(s => s.Id).ToListAsync(ct);
        foreach (var site in sites) live.Publish(LiveEventTypes.CalendarChanged, site, now, payload);
        latches.Wake();
    }
}

public static class CalendarsExtensions
{
    public static IServiceCollection AddPortierCalendars(this IServiceCollection services) =>
        services.AddScoped<CalendarChanges>();
}
