using System.Text.Json;
using Portier.Core.Calendars;
using Portier.Server.Features.Calendars;

namespace Portier.Server.Components.Api;

public sealed class CalendarsClient(ConsoleApi api) : ResourceClient<CalendarRequest, CalendarResponse>(api, CalendarsRoutes.Group)
{
    /// <summary>The shared calendars and the site's own.</summary>
    public Task<ApiResult<List<CalendarResponse>>> ListAsync(Guid? siteId) =>
        Api.GetAsync<List<CalendarResponse>>(Route.To(Group), new Query().Add("siteId", siteId));

    public Task<ApiResult<CalendarEntryData>> AddEntryAsync(Guid id, CalendarEntryRequest entry) =>
        Api.PostAsync<CalendarEntryData>(ItemPath(CalendarsRoutes.Entries, id), entry);

    public Task<ApiResult<JsonElement>> RemoveEntryAsync(Guid id, Guid entryId) =>
        Api.DeleteAsync(Route.To(Group, CalendarsRoutes.Entry, id, entryId));

    /// <summary>Reads an .ics file into entries (or, with <paramref name="dryRun"/>, only shows what it would create).</summary>
    public Task<ApiResult<IcsImportResult>> ImportAsync(Guid id, bool dryRun, CalendarDayEffect effect, HttpContent ics) =>
        Api.SendContentAsync<IcsImportResult>(HttpMethod.Post, ItemPath(CalendarsRoutes.Import, id), new Query().Add("dryRun", dryRun).Add("effect", effect), ics);
}
