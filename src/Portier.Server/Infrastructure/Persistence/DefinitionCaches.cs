namespace Portier.Server.Infrastructure.Persistence;

/// <summary>
/// A value kept in memory and built from the entities that carry <see cref="DefinitionMarker"/>. After
/// a committed save that adds, deletes or changes such an entity (other than its <see cref="LiveFactAttribute"/>
/// properties), <see cref="DefinitionChangeInterceptor"/> calls <see cref="MarkChanged"/>.
/// </summary>
public interface IDefinitionCache
{
    /// <summary>
    /// Names the value across nodes: a change announced under this name marks it stale on every node
    /// (see <see cref="Changes.NodeNoticeListener"/>). Stable across versions and unique.
    /// </summary>
    string Name { get; }

    /// <summary>The marker interface every entity this value is built from implements.</summary>
    Type DefinitionMarker { get; }

    void MarkChanged();
}

/// <summary>
/// A property that changes on every pass (a zone's count, a credential's use count, a controller's
/// heartbeat): read or noted as it happens, so a change to it alone never rebuilds a definition cache.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class LiveFactAttribute : Attribute;

/// <summary>Lets a value built from more than one kind of definition follow a second marker as well.</summary>
public sealed class AlsoChangedBy(string name, Type marker, Action markChanged) : IDefinitionCache
{
    public string Name => name;

    public Type DefinitionMarker => marker;

    public void MarkChanged() => markChanged();
}
