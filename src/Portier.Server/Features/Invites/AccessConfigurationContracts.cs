using System.Text.RegularExpressions;
using Portier.Server.Features.Doors;
using Portier.Server.Infrastructure.Http;

namespace Portier.Server.Features.Invites;

public sealed record EntryTypeRequest(
    Guid SiteId,
    string Name,
    IReadOnlyList<CredentialMethod> Methods,
    string? Description = null,
    int ValidityMinutes = 480,
    int? MaxUses = null,
    IReadOnlyList<Guid>? AllowedPointOfEntryIds = null,
    bool RequiresApproval = false,
    bool Active = true) : IValidatable
{
    public const int MaxUsesLimit = 10_000;

    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteId != Guid.Empty, "siteId", "Is required.");
        errors.NotBlank(Name, "name");
        if (Description is not null) errors.Require(Description.Length <= 1000, "description", "Must be at most 1000 characters.");
        errors.Require(Methods is { Count: > 0 }, "methods", "Choose at least one credential method.");
        errors.Distinct(Methods, "methods", 6);
        errors.Range(ValidityMinutes, 1, EntryType.MaxValidityMinutes, "validityMinutes");
        errors.Require(MaxUses is null or (>= 1 and <= MaxUsesLimit), "maxUses", $"Must be 1–{MaxUsesLimit}, or null for unlimited.");
        errors.Distinct(AllowedPointOfEntryIds, "allowedPointOfEntryIds", 500);
    }

    public void ApplyTo(EntryType e)
    {
        e.Name = Name.Trim();
        e.Description = string.IsNullOrWhiteSpace(Description) ? null : Description.Trim();
        e.Methods = [.. Methods];
        e.ValidityMinutes = ValidityMinutes;
        e.MaxUses = MaxUses;
        e.AllowedPointOfEntryIds = [.. AllowedPointOfEntryIds ?? []];
        e.RequiresApproval = RequiresApproval;
        e.Active = Active;
    }
}

public sealed record EntryTypeResponse(
    Guid Id, Guid SiteId, string Name, string? Description, IReadOnlyList<CredentialMethod> Methods, int ValidityMinutes,
    int? MaxUses, IReadOnlyList<Guid> AllowedPointOfEntryIds, bool RequiresApproval, bool Active)
{
    public static EntryTypeResponse From(EntryType e) =>
        new(e.Id, e.SiteId, e.Name, e.Description, e.Methods, e.ValidityMinutes, e.MaxUses, e.AllowedPointOfEntryIds, e.RequiresApproval, e.Active);
}

/// <summary>A gate or turnstile: a door flagged as a point of entry. Its site (location) is fixed once created.</summary>
public sealed record PointOfEntryRequest(Guid SiteId, string Name, string? Description = null, bool Active = true) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteId != Guid.Empty, "siteId", "Is required.");
        errors.NotBlank(Name, "name");
        if (Description is not null) errors.Require(Description.Length <= 200, "description", "Must be at most 200 characters.");
    }

    public void ApplyTo(Door door)
    {
        door.Name = Name.Trim();
        door.LocationLabel = string.IsNullOrWhiteSpace(Description) ? null : Description.Trim();
        door.SetPointOfEntryActive(Active);
    }
}

public sealed record PointOfEntryResponse(Guid Id, Guid SiteId, string Name, string? Description, bool Active)
{
    public static PointOfEntryResponse From(Door d) => new(d.Id, d.SiteId, d.Name, d.LocationLabel, d.PointOfEntryActive);
}

public sealed partial record ChannelRequest(
    string Code,
    string Name,
    string Handler,
    IReadOnlyDictionary<string, string>? Configuration = null,
    int DisplayOrder = 0,
    bool Active = true) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(Code is { Length: > 0 and <= 64 } && CodePattern().IsMatch(Code), "code", "Letters, digits and underscores, at most 64.");
        errors.NotBlank(Name, "name");
        errors.Range(DisplayOrder, 0, 10_000, "displayOrder");
        if (ChannelHandlers.Find(Handler) is { } handler) handler.Validate(Configuration, errors);
        else errors.Add("handler", $"Must be one of: {string.Join(", ", ChannelHandlers.All.Select(h => h.Name))}.");
    }

    [GeneratedRegex("^[A-Za-z0-9_]+$")]
    private static partial Regex CodePattern();
}

/// <summary>A channel as read back: secret fields show only whether they are set.</summary>
public sealed record ChannelResponse(
    Guid Id, string Code, string Name, string Handler, IReadOnlyDictionary<string, string?> Configuration, int DisplayOrder, bool Active,
    IReadOnlyList<Guid> SiteIds, ChannelCapabilities Capabilities, bool IsDefault, string? InboundValidationUrl, string? InboundSecret = null)
{
    public static ChannelResponse From(Channel c, Guid? defaultChannelId, string? inboundSecret = null)
    {
        var handler = ChannelHandlers.Find(c.Handler) ?? ChannelHandlers.Default;
        var configuration = handler.Fields.Where(f => c.Configuration.ContainsKey(f.Name))
            .ToDictionary(f => f.Name, f => (string?)(f.Secret ? "********" : c.Configuration[f.Name]));
        return new(c.Id, c.Code, c.Name, c.Handler, configuration, c.DisplayOrder, c.Active, c.SiteIds, handler.Capabilities,
            c.Id == defaultChannelId, handler.IsExternal && handler.Capabilities.InboundValidation ? $"/api/v1/channels/{c.Code}/validate" : null, inboundSecret);
    }
}

public sealed record ChannelSitesRequest(IReadOnlyList<Guid> SiteIds) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(SiteIds is not null, "siteIds", "Is required.");
        errors.Distinct(SiteIds, "siteIds", 1000);
    }
}

public sealed record AccessSettingsRequest(Guid? DefaultChannelId, bool ModuleEnabled = true) : IValidatable
{
    public void Validate(ValidationErrors errors) =>
        errors.Require(DefaultChannelId != Guid.Empty, "defaultChannelId", "Must be a channel id or null.");
}

public sealed record AccessSettingsResponse(Guid? DefaultChannelId, bool ModuleEnabled)
{
    public static AccessSettingsResponse From(AccessSettings s) => new(s.DefaultChannelId, s.ModuleEnabled);
}

public sealed record QrKeyResponse(string KeyId, Guid SiteId, string Algorithm, string PublicKey, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt)
{
    public static QrKeyResponse From(QrSigningKey k) =>
        new(k.KeyId, k.SiteId, QrPassSigner.Algorithm, k.PublicKey, k.CreatedAt.ToDateTimeOffset(), k.RetiredAt?.ToDateTimeOffset());
}

public sealed record MemberPermissionsRequest(IReadOnlyList<string> Permissions) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        errors.Require(Permissions is not null, "permissions", "Is required.");
        errors.Distinct(Permissions, "permissions", 10);
        foreach (var p in Permissions ?? [])
            errors.Require(Auth.Permissions.MemberGrantable.Contains(p), "permissions", $"{p} cannot be given to a member.");
    }
}
