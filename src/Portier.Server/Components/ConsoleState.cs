using Portier.Server.Components.Api;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Components;

/// <summary>The admin's circuit-wide choices: the sites they can see and the one they are working on.</summary>
public sealed class ConsoleState
{
    public IReadOnlyList<SiteResponse> Sites { get; private set; } = [];

    private Guid? _siteId;

    /// <summary>The site the admin works on; what follows it across pages (the menu's alarm count) hears <see cref="SiteChanged"/>.</summary>
    public Guid? SiteId
    {
        get => _siteId;
        set
        {
            if (_siteId == value) return;
            _siteId = value;
            SiteChanged?.Invoke();
        }
    }

    /// <summary>Raised on the circuit's dispatcher when <see cref="SiteId"/> changes.</summary>
    public event Action? SiteChanged;

    public SiteResponse? Site => Sites.FirstOrDefault(s => s.Id == SiteId);

    /// <summary>The site's time zone (UTC when unknown); the console shows every time in it.</summary>
    public NodaTime.DateTimeZone TimeZone => Shared.SiteClock.Zone(Site?.TimeZone);

    /// <summary>An instant as the site's wall-clock time, by default "7 Dec 2026, 14:05" (<see cref="Shared.SiteClock"/>).</summary>
    public string SiteTime(DateTimeOffset at, string pattern = Shared.SiteClock.DateTime) => Shared.SiteClock.Format(at, Site?.TimeZone, pattern);

    /// <summary>"yyyy-MM-dd HH:mm" read as the site's wall-clock time; null when it is not such a time.</summary>
    public DateTimeOffset? ParseSiteTime(string? text) => Shared.SiteClock.Parse(text, Site?.TimeZone, SiteTimeInput);

    public const string SiteTimeInput = "yyyy-MM-dd HH:mm";

    public string SiteTime(DateTimeOffset? at, string pattern = Shared.SiteClock.DateTime) => Shared.SiteClock.Format(at, Site?.TimeZone, pattern);

    /// <summary>The time zone of any site the admin sees (not only the chosen one); null when it is not loaded.</summary>
    public string? ZoneOf(Guid? siteId) => Sites.FirstOrDefault(s => s.Id == siteId)?.TimeZone;

    /// <summary>An instant on the clock of the site it belongs to, for rows of several sites.</summary>
    public string SiteTimeAt(Guid? siteId, DateTimeOffset? at, string pattern = Shared.SiteClock.DateTime) => Shared.SiteClock.Format(at, ZoneOf(siteId), pattern);

    /// <summary>The line that names the zone of the page's times.</summary>
    public string ZoneNote => Shared.SiteClock.ZoneNote(Site?.TimeZone);

    /// <summary>
    /// The secrets of the invite issued last in this console session, kept only in memory so its page can
    /// show them once after creating it; the API never returns them again.
    /// </summary>
    public (string Reference, Features.Invites.IssuedCredentials Issued)? LastIssued { get; set; }

    public async Task<ApiProblem?> LoadSitesAsync(ConsoleApi api)
    {
        var result = await api.Sites.ListAsync();
        if (!result.Ok) return result.Problem;
        Sites = result.Value!.Items;
        if (SiteId is null || Sites.All(s => s.Id != SiteId)) SiteId = Sites.Count > 0 ? Sites[0].Id : null;
        return null;
    }
}
