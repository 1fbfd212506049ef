using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portier.Core.Guessing;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Guessing;

/// <summary>
/// Every site's guessing limits in force, read once per change to a site instead of once per attempt.
/// A saved site marks them stale (<see cref="DefinitionChangeInterceptor"/>) and the next reader rebuilds them.
/// </summary>
public sealed class SiteGuessingLimits : IDefinitionCache, IDisposable
{
    private readonly RebuiltOnChange<FrozenDictionary<Guid, GuessingLimits>> _limits;
    private readonly GuessingLimits _defaults;

    public SiteGuessingLimits(IServiceScopeFactory scopes, IOptions<GuessingOptions> options)
    {
        _defaults = new GuessingLimitsData().Resolve(options.Value);
        _limits = new(async ct =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var sites = await scope.ServiceProvider.GetRequiredService<PortierDbContext>().Set<Site>().AsNoTracking()
                .Where(s => s.GuessingLimits != null).Select(s => new { s.Id, s.GuessingLimits }).ToListAsync(ct);
            return sites.ToFrozenDictionary(s => s.Id, s => s.GuessingLimits!.Resolve(options.Value));
        });
    }

    public string Name => "guessing-limits";

    public Type DefinitionMarker => typeof(ISite);

    public void MarkChanged() => _limits.MarkChanged();

    public async ValueTask<GuessingLimits> ForSiteAsync(Guid siteId, CancellationToken ct) =>
        (await _limits.GetAsync(ct)).GetValueOrDefault(siteId) ?? _defaults;

    public void Dispose() => _limits.Dispose();
}
