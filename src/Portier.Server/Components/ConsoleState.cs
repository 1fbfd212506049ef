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

    /// <summary>An instant as the site's wall-clock time.</summary>
    public string SiteTime(DateTimeOffset at, string pattern = "yyyy-MM-dd HH:mm:ss") => Shared.SiteClock.Format(at, Site?.TimeZone, pattern);

    /// <summary>"yyyy-MM-dd HH:mm" read as the site's wall-clock time; null when it is not such a time.</summary>
    public DateTimeOffset? ParseSiteTime(string? text) => Shared.SiteClock.Parse(text, Site?.TimeZone, SiteTimeInput);

    public const string SiteTimeInput = "yyyy-MM-dd HH:mm";

    public string SiteTime(DateTimeOffset? at) => at is { } value ? SiteTime(value) : "—";
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
