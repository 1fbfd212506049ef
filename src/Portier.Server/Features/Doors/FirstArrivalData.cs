using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portier.Core.Doors;
using Portier.Server.Features.Auth;
using Portier.Server.Features.People;
using Portier.Server.Infrastructure.Http;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Doors;

/// <summary>
/// A door's first-to-arrive setting as stored and sent: its auto-unlock windows latch only once someone of the
/// group (a person type, a tag, or a listed person of the door's site) has been granted today at the door
/// (<see cref="FirstArrivalScope.Door"/>) or at any door of the site (<see cref="FirstArrivalScope.Site"/>).
/// </summary>
public sealed record FirstArrivalData(
    FirstArrivalScope Scope = FirstArrivalScope.Door,
    IReadOnlyList<string>? PersonTypes = null,
    IReadOnlyList<string>? Tags = null,
    IReadOnlyList<Guid>? People = null)
{
    public const int MaxEntries = 100;

    public static void Validate(FirstArrivalData? data, string field, ValidationErrors errors)
    {
        if (data is null) return;
        errors.Require(Enum.IsDefined(data.Scope), $"{field}.scope", "Must be door or site.");
        errors.Distinct(data.PersonTypes, $"{field}.personTypes", MaxEntries);
        errors.Distinct(data.Tags, $"{field}.tags", MaxEntries);
        errors.Distinct(data.People, $"{field}.people", MaxEntries);
    }

    /// <summary>Trimmed, with absent lists made empty.</summary>
    public FirstArrivalData Normalized() => new(Scope,
        [.. (PersonTypes ?? []).Select(t => t.Trim())], [.. (Tags ?? []).Select(t => t.Trim())], [.. People ?? []]);

    public bool NamesNobody => (PersonTypes?.Count ?? 0) == 0 && (Tags?.Count ?? 0) == 0 && (People?.Count ?? 0) == 0;

    public FirstArrivalRule ToCore() => new(Scope) { PersonTypes = PersonTypes ?? [], Tags = Tags ?? [], PersonIds = People ?? [] };

    /// <summary>
    /// What the shape checks cannot see, each with its code: a group naming nobody (<c>first_arrival_group_empty</c>),
    /// a door without auto-unlock windows to gate (<c>first_arrival_without_auto_unlock</c>), a person not of the site
    /// (<c>unknown_person</c>), and a person type or tag no person of the site carries (<c>unknown_person_type</c>,
    /// <c>unknown_tag</c>: most likely a typo, which would keep the door locked all day).
    /// </summary>
    public async Task<ValidationProblem?> CheckAsync(PortierDbContext db, Guid siteId, bool hasAutoUnlock, string field, CancellationToken ct)
    {
        if (NamesNobody)
            return Problems.Invalid("first_arrival_group_empty", field, "Name at least one person type, tag or person whose arrival starts the day.");
        if (!hasAutoUnlock)
            return Problems.Invalid("first_arrival_without_auto_unlock", $"{field}", "First-to-arrive gates the door's auto-unlock windows: give the door auto-unlock windows too.");
        if (await db.NotInSiteAsync<Person>(siteId, People ?? [], ct) is { Count: > 0 } people)
            return Problems.Invalid("unknown_person", $"{field}.people", $"Not people of the door's site: {string.Join(", ", people)}.");
        if (PersonTypes is { Count: > 0 } types)
        {
            var known = await db.Set<Person>().Where(p => p.SiteId == siteId && types.Contains(p.PersonType)).Select(p => p.PersonType).Distinct().ToListAsync(ct);
            if (types.Except(known, StringComparer.Ordinal).ToList() is { Count: > 0 } unknown)
                return Problems.Invalid("unknown_person_type", $"{field}.personTypes", $"No person of the site has the person type: {string.Join(", ", unknown)}.");
        }
        if (Tags is { Count: > 0 } tags)
        {
            // Tags live in JSON lists, which the two databases query differently: read the site's lists and look here.
            var lists = await db.Set<Person>().AsNoTracking().Where(p => p.SiteId == siteId).Select(p => new { p.SyncedTags, p.CustomTags }).ToListAsync(ct);
            var carried = lists.SelectMany(l => l.SyncedTags.Concat(l.CustomTags)).ToHashSet(StringComparer.Ordinal);
            if (tags.Where(t => !carried.Contains(t)).ToList() is { Count: > 0 } unknown)
                return Problems.Invalid("unknown_tag", $"{field}.tags", $"No person of the site carries the tag: {string.Join(", ", unknown)}.");
        }
        return null;
    }
}
