namespace Portier.Core.Policy;

internal static partial class PolicyPatcher
{
    /// <summary>Writes the credential to a fresh slot and points its id and key there; nothing else refers to credential slots.</summary>
    private static PolicySnapshot ChangeCredential(PolicySnapshot s, CredentialDefinition credential)
    {
        var compiler = Compiler(s);
        var owner = PolicyCompiler.ResolvePerson(s.PersonIndex, credential.PersonId, credential.Id);
        var key = new CredentialKey(s.People[owner].Site, credential.Kind, credential.Value);
        var old = s.CredentialById!.TryGetValue(credential.Id, out var slot) ? slot : -1;
        if (s.CredentialIndex.TryGetValue(key, out var holder) && holder != old) throw PolicyCompiler.DuplicateCredential(credential);
        var compiled = compiler.CompileCredential(credential, owner);

        var n = s.CredentialsUsed;
        var inPlace = s.CredentialSlots.TryClaim(n, 1, s.CredentialIds.Length);
        var capacity = inPlace ? s.CredentialIds.Length : Grown(n + 1);
        var ids = Room(s.CredentialIds, n, capacity, inPlace);
        var keys = Room(s.CredentialKeys!, n, capacity, inPlace);
        var credentials = Room(s.Credentials, n, capacity, inPlace);
        ids[n] = credential.Id;
        keys[n] = key;
        credentials[n] = compiled;
        (CredentialKey, int)[] keyChanges = old >= 0 && s.CredentialKeys![old] != key ? [(s.CredentialKeys[old], -1), (key, n)] : [(key, n)];
        return s with
        {
            CredentialIndex = s.CredentialIndex.Change(keyChanges, credentials),
            CredentialById = s.CredentialById.With(credential.Id, n),
            CredentialIds = ids,
            CredentialKeys = keys,
            Credentials = credentials,
            CredentialsUsed = n + 1,
            CredentialSlots = inPlace ? s.CredentialSlots : new Slots(n + 1),
        };
    }

    private static PolicySnapshot RemoveCredential(PolicySnapshot s, Guid credentialId)
    {
        if (!s.CredentialById!.TryGetValue(credentialId, out var old)) return s;
        return s with
        {
            CredentialIndex = s.CredentialIndex.Without(s.CredentialKeys![old], s.Credentials),
            CredentialById = s.CredentialById.Without(credentialId),
        };
    }
}
