using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Model;
using Portier.Server.Features.Audit;
using Portier.Server.Features.Decisions;
using Portier.Server.Features.People;
using Portier.Server.Features.Sites;
using Portier.Server.Infrastructure.Persistence;

namespace Portier.Server.Features.Qualifications;

/// <summary>
/// A training or competency a door or scope may require ("laser cutter"): shared by every site
/// (<see cref="SiteId"/> null) or one site's own. <see cref="ValidityDays"/> null = a grant does not expire.
/// </summary>
public sealed class Qualification : IAudited, IPolicyDefinition
{
    public const int MaxValidityDays = 36500;

    public Guid Id { get; init; } = SequentialIds.Next();
    /// <summary>Null = shared by every site; it never changes afterwards.</summary>
    public Guid? SiteId { get; init; }
    /// <summary>Unique among all qualifications, so a CSV row can name it.</summary>
    public required string Name { get; set; }
    public string? Description { get; set; }
    public int? ValidityDays { get; set; }
    public Instant CreatedAt { get; init; }
    public Instant UpdatedAt { get; set; }

    /// <summary>When a grant made at <paramref name="grantedAt"/> expires by default: <see cref="ValidityDays"/> × 24 h later, or never.</summary>
    public Instant? DefaultExpiry(Instant grantedAt) => ValidityDays is { } days ? grantedAt + Duration.FromDays(days) : null;
}

/// <summary>
/// A qualification one person holds: granted at <see cref="GrantedAt"/> by <see cref="GrantedBy"/> (an administrator's
/// or API token's name), valid until <see cref="ExpiresAt"/> (exclusive; null = does not expire). One row per person
/// and qualification: granting again renews it; revoking deletes it (the audit trail keeps the history).
/// </summary>
public sealed class PersonQualification : IAudited, ISiteOwned, IPolicyDefinition
{
    public Guid Id { get; init; } = SequentialIds.Next();
    /// <summary>The person's site.</summary>
    public Guid SiteId { get; init; }
    public Guid PersonId { get; init; }
    public Guid QualificationId { get; init; }
    public Instant GrantedAt { get; private set; }
    public string GrantedBy { get; private set; } = "";
    public Instant? ExpiresAt { get; private set; }
    public string? Note { get; private set; }

    /// <summary>Grants or renews: the new grant replaces the old one's dates, grantor and note.</summary>
    public void Grant(Instant grantedAt, string grantedBy, Instant? expiresAt, string? note)
    {
        if (expiresAt <= grantedAt) throw new ArgumentOutOfRangeException(nameof(expiresAt), expiresAt, "A qualification expires after it is granted.");
        (GrantedAt, GrantedBy, ExpiresAt, Note) = (grantedAt, grantedBy, expiresAt, note);
    }

    public bool IsExpiredAt(Instant at) => ExpiresAt is { } end && end <= at;
}

internal sealed class QualificationConfiguration : IEntityTypeConfiguration<Qualification>
{
    public void Configure(EntityTypeBuilder<Qualification> b)
    {
        b.ToTable("qualifications");
        b.HasOne<Site>().WithMany().HasForeignKey(q => q.SiteId).OnDelete(DeleteBehavior.Cascade);
        b.Property(q => q.Name).HasMaxLength(200);
        b.Property(q => q.Description).HasMaxLength(1000);
        b.HasIndex(q => q.Name).IsUnique();
    }
}

internal sealed class PersonQualificationConfiguration : IEntityTypeConfiguration<PersonQualification>
{
    public void Configure(EntityTypeBuilder<PersonQualification> b)
    {
        b.ToTable("person_qualifications");
        b.HasOne<Person>().WithMany().HasForeignKey(q => q.PersonId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Qualification>().WithMany().HasForeignKey(q => q.QualificationId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(q => new { q.PersonId, q.QualificationId }).IsUnique();
        b.HasIndex(q => new { q.SiteId, q.ExpiresAt });
        b.HasIndex(q => q.QualificationId);
        b.Property(q => q.GrantedBy).HasMaxLength(320);
        b.Property(q => q.Note).HasMaxLength(500);
    }
}
