namespace Portier.Core.Policy;

/// <summary>
/// One entity added, changed or removed, to apply to a compiled snapshot with <see cref="PolicySnapshot.Apply"/>.
/// A "changed" entity replaces the one with its id, or is added when there is none. Removing a person removes their
/// grants and credentials with them (as the database does). <see cref="PolicySnapshot.Apply"/> answers null, asking
/// for a full compile, when the change reaches further than its entity:
/// a type, status or tag no rule, zone or person used before (the interned bit sets would widen);
/// a person moving to another site (their credentials' keys change) or holding other qualifications;
/// a person named in a plan's responders or a first-to-arrive group coming or going;
/// a door with a first-to-arrive rule (before or after), a door added or moved between sites or scopes while a
/// plan is active, a door requiring a qualification no definition names, and any door removed (grants, invite
/// credentials and plans hold door indexes); and after many changes, to drop the slots they left unused.
/// </summary>
public abstract record PolicyChange
{
    private protected PolicyChange() { }
}

public sealed record PersonChanged(PersonDefinition Person) : PolicyChange;

public sealed record PersonRemoved(Guid PersonId) : PolicyChange;

public sealed record CredentialChanged(CredentialDefinition Credential) : PolicyChange;

public sealed record CredentialRemoved(Guid CredentialId) : PolicyChange;

public sealed record GrantChanged(GrantDefinition Grant) : PolicyChange;

public sealed record GrantRemoved(Guid GrantId) : PolicyChange;

public sealed record DoorChanged(DoorDefinition Door) : PolicyChange;

public sealed record DoorRemoved(Guid DoorId) : PolicyChange;
