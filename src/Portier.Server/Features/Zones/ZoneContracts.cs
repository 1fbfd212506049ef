using System.Text;
using Portier.Core.Model;
using System.Text.RegularExpressions;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Zones;

public sealed partial record ZoneRequest(
    Guid SiteId,
    string Name,
    string? Slug = null,
    int? Capacity = null,
    IReadOnlyList<string>? AdmittedPersonTypes = null,
    IReadOnlyList<string>? AdmittedTags = null) : IValidatable
{
    public const int MaxSlugLength = 100;

    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteId != Guid.Empty, "siteId", "Is required.");
        errors.NotBlank(Name, "name");
        if (Slug is not null)
            errors.Require(Slug.Length <= MaxSlugLength && SlugPattern().IsMatch(Slug), "slug",
                "Must be lowercase letters, digits and single hyphens, not starting or ending with a hyphen.");
        else if (Name is not null)
            errors.Require(SlugFrom(Name).Length > 0, "slug", "The name has no letters or digits to make a slug from; give a slug.");
        if (Capacity is { } capacity) errors.Range(capacity, 0, 1_000_000, "capacity");
        errors.Distinct(AdmittedPersonTypes, "admittedPersonTypes", 100);
        errors.Distinct(AdmittedTags, "admittedTags", 100);
    }

    /// <summary>On create a missing slug is made from the name; on update it keeps the zone's current slug.</summary>
    public void ApplyTo(Zone zone, bool creating)
    {
        zone.Name = Name.Trim();
        zone.Slug = Slug ?? (creating ? SlugFrom(Name) : zone.Slug);
        zone.Capacity = Capacity;
        zone.AdmittedPersonTypes = [.. AdmittedPersonTypes ?? []];
        zone.AdmittedTags = [.. AdmittedTags ?? []];
    }

    /// <summary>"VIP Lounge (2nd floor)" becomes "vip-lounge-2nd-floor".</summary>
    public static string SlugFrom(string name)
    {
        var slug = new StringBuilder();
        foreach (var c in name.Trim().ToLowerInvariant())
        {
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9') slug.Append(c);
            else if (slug.Length > 0 && slug[^1] != '-') slug.Append('-');
        }
        var text = slug.ToString().TrimEnd('-');
        return text.Length <= MaxSlugLength ? text : text[..MaxSlugLength].TrimEnd('-');
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();
}

public sealed record ZoneResponse(
    Guid Id,
    Guid SiteId,
    string Name,
    string Slug,
    int? Capacity,
    int CurrentCount,
    int? Available,
    IReadOnlyList<string> AdmittedPersonTypes,
    IReadOnlyList<string> AdmittedTags,
    PassbackMode Passback = PassbackMode.Off,
    int? PassbackMinutes = null,
    string? PassbackForgiveAt = null)
{
    /// <summary>Available is capacity minus the live count, never below zero; null when capacity is unlimited.</summary>
    public static ZoneResponse From(Zone z) => new(z.Id, z.SiteId, z.Name, z.Slug, z.Capacity, z.CurrentCount,
        z.Capacity is { } capacity ? Math.Max(0, capacity - z.CurrentCount) : null, z.AdmittedPersonTypes, z.AdmittedTags,
        z.Passback, z.PassbackMinutes, z.PassbackForgiveAt);
}
