using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portier.Server.Infrastructure.Changes;

/// <summary>
/// How often the definitions behind one cache (<see cref="Persistence.IDefinitionCache.Name"/>) have
/// changed, counted by the node that made each change right after its commit. A node whose count is
/// behind missed an announcement and rebuilds that cache.
/// </summary>
public sealed class DefinitionVersion
{
    public const int MaxNameLength = 64;

    public required string Name { get; init; }
    public long Version { get; init; }
}

internal sealed class DefinitionVersionConfiguration : IEntityTypeConfiguration<DefinitionVersion>
{
    public void Configure(EntityTypeBuilder<DefinitionVersion> b)
    {
        b.ToTable("definition_versions");
        b.HasKey(v => v.Name);
        b.Property(v => v.Name).HasMaxLength(DefinitionVersion.MaxNameLength);
    }
}
