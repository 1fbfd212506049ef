using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NodaTime;
using Portier.Core.Model;
using Portier.Server.Features.Audit;
using Portier.Server.Features.People;
using Portier.Server.Infrastructure.Persistence;
using Portier.Server.Features.Decisions;

namespace Portier.Server.Features.Credentials;

/// <summary>
/// What a person presents. Cards and barcodes keep their number; a PIN keeps only a keyed hash.
/// <see cref="ActiveKey"/> is the lookup value while the credential is usable and null once revoked,
/// so a unique index makes a number belong to one active credential per site and kind.
/// </summary>
public sealed class Credential : IAudited, ISiteOwned, IPolicyDefinition
{
    public Guid Id { get; init; } = SequentialIds.Next();
    public Guid SiteId { get; init; }
    public Guid PersonId { get; init; }
    public CredentialKind Kind { get; init; }
    /// <summary>The card or barcode number; never set for a PIN.</summary>
    public string? Value { get; init; }
    [Secret]
    public string? ActiveKey { get; set; }
    public string? Label { get; set; }
    public Instant? ValidFrom { get; set; }
    public Instant? ValidUntil { get; set; }
    public int? MaxUses { get; set; }
    [LiveFact]
    public int UseCount { get; set; }
    public bool Revoked { get; private set; }
    public Instant? RevokedAt { get; private set; }
    public Instant CreatedAt { get; init; }

    public void Revoke(Instant at)
    {
        if (Revoked) return;
        Revoked = true;
        RevokedAt = at;
        ActiveKey = null;
    }
}

internal sealed class CredentialConfiguration : IEntityTypeConfiguration<Credential>
{
    public void Configure(EntityTypeBuilder<Credential> b)
    {
        b.ToTable("credentials");
        b.HasOne<Person>().WithMany().HasForeignKey(c => c.PersonId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(c => new { c.SiteId, c.Kind, c.ActiveKey }).IsUnique();
        b.HasIndex(c => c.PersonId);
        b.Property(c => c.Value).HasMaxLength(200);
        b.Property(c => c.ActiveKey).HasMaxLength(200);
        b.Property(c => c.Label).HasMaxLength(200);
    }
}
