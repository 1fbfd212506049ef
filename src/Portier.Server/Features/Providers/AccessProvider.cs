using Portier.Core.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Providers;

public enum ProviderKind { BuiltIn, Webhook }

public enum ProviderHealth { Unknown, Healthy, Unhealthy }

/// <summary>
/// A connection to an access-control system that receives grants and revokes: the built-in one
/// (Portier's own doors, scopes and zones) or a webhook endpoint that receives signed calls.
/// </summary>
public sealed class AccessProvider : IAudited, ISiteOwned
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public required string Name { get; set; }
    public ProviderKind Kind { get; init; }
    public string? Url { get; set; }
    /// <summary>The Standard Webhooks signing secret (<c>whsec_</c> + base64). Kept because every call is signed with it.</summary>
    [Secret]
    public string? SigningSecret { get; set; }
    /// <summary>Optional bearer credentials sent with every call; a 401 means they expired.</summary>
    [Secret]
    public string? ApiKey { get; set; }
    public ProviderHealth Health { get; set; }
    public string? HealthDetail { get; set; }
    public Instant? HealthCheckedAt { get; set; }
    public Instant? ZonesSyncedAt { get; set; }

    public void RecordHealth(ProviderHealth health, string? detail, Instant at)
    {
        Health = health;
        HealthDetail = detail;
        HealthCheckedAt = at;
    }
}

/// <summary>A zone a provider offers: for the built-in provider a door, scope or zone of the site (<c>door:ID</c>, <c>scope:ID</c>, <c>zone:ID</c>).</summary>
public sealed class ProviderZone
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid ProviderId { get; init; }
    public required string ExternalId { get; init; }
    public required string Name { get; set; }
    /// <summary>False once the zone disappeared from the provider; policies using it show it as inactive.</summary>
    public bool Active { get; set; } = true;
    public Instant LastSeenAt { get; set; }
}

internal sealed class AccessProviderConfiguration : IEntityTypeConfiguration<AccessProvider>
{
    public void Configure(EntityTypeBuilder<AccessProvider> b)
    {
        b.ToTable("access_providers");
        b.HasOne<Site>().WithMany().HasForeignKey(p => p.SiteId).OnDelete(DeleteBehavior.Restrict);
        b.Property(p => p.Name).HasMaxLength(200);
        b.Property(p => p.Url).HasMaxLength(2000);
        b.Property(p => p.SigningSecret).HasMaxLength(200);
        b.Property(p => p.ApiKey).HasMaxLength(500);
        b.Property(p => p.HealthDetail).HasMaxLength(500);
    }
}

internal sealed class ProviderZoneConfiguration : IEntityTypeConfiguration<ProviderZone>
{
    public void Configure(EntityTypeBuilder<ProviderZone> b)
    {
        b.ToTable("provider_zones");
        b.HasOne<AccessProvider>().WithMany().HasForeignKey(z => z.ProviderId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(z => new { z.ProviderId, z.ExternalId }).IsUnique();
        b.Property(z => z.ExternalId).HasMaxLength(200);
        b.Property(z => z.Name).HasMaxLength(200);
    }
}
