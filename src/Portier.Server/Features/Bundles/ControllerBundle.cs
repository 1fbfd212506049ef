using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Server.Features.Devices;
using Portier.Core.Model;

namespace Portier.Server.Features.Bundles;

/// <summary>
/// A controller's bundle as the server last built it: its version (grows by one with every change
/// of content, never reused, also across restarts), a hash of its content (so a rebuild that changes
/// nothing keeps the version), and what the controller last said about it.
/// </summary>
public sealed class ControllerBundle
{
    public const int MaxRefusalLength = 500;

    public Guid DeviceId { get; init; }
    public Guid SiteId { get; init; }
    public long Version { get; set; }
    /// <summary>SHA-256 (hex) of the bundle's content, version and issue time left out.</summary>
    public required string ContentHash { get; set; }
    public Instant BuiltAt { get; set; }
    /// <summary>The version the controller last said it holds; null until it acknowledges one.</summary>
    public long? AcknowledgedVersion { get; set; }
    public Instant? AcknowledgedAt { get; set; }
    /// <summary>Why the controller last refused a bundle, as it said; it kept its last good one.</summary>
    public string? LastRefusal { get; set; }
    public Instant? LastRefusalAt { get; set; }
}

/// <summary>What a version took away that a controller not yet holding it would still allow.</summary>
public enum RevocationKind { CredentialRevoked, CredentialRemoved, PersonDisabled, PersonBlocklisted, PersonRemoved, GrantRemoved, GrantNarrowed }

/// <summary>
/// One revocation carried by a controller's bundle version, kept until the controller acknowledges
/// that version (or a later one): the list of what an offline controller may still wrongly allow.
/// </summary>
public sealed class BundleRevocation
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid DeviceId { get; init; }
    public long Version { get; init; }
    public RevocationKind Kind { get; init; }
    /// <summary>The credential, person or grant revoked.</summary>
    public Guid SubjectId { get; init; }
    public Guid? PersonId { get; init; }
    public Instant At { get; init; }
}

internal sealed class ControllerBundleConfiguration : IEntityTypeConfiguration<ControllerBundle>
{
    public void Configure(EntityTypeBuilder<ControllerBundle> b)
    {
        b.ToTable("controller_bundles");
        b.HasKey(c => c.DeviceId);
        b.HasOne<Device>().WithOne().HasForeignKey<ControllerBundle>(c => c.DeviceId).OnDelete(DeleteBehavior.Cascade);
        // Two nodes building the same next version: the second save fails and that node builds again.
        b.Property(c => c.Version).IsConcurrencyToken();
        b.Property(c => c.ContentHash).HasMaxLength(64);
        b.Property(c => c.LastRefusal).HasMaxLength(ControllerBundle.MaxRefusalLength);
        b.HasIndex(c => c.SiteId);
    }
}

internal sealed class BundleRevocationConfiguration : IEntityTypeConfiguration<BundleRevocation>
{
    public void Configure(EntityTypeBuilder<BundleRevocation> b)
    {
        b.ToTable("bundle_revocations");
        b.HasOne<Device>().WithMany().HasForeignKey(r => r.DeviceId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(r => new { r.DeviceId, r.Version });
    }
}
