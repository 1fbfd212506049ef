namespace Portier.Core.Model;

/// <summary>
/// A state change the entity's rules do not allow (an invite moved back to pending, a task retried
/// that has not failed). <see cref="Code"/> is the stable refusal code the API answers with (a 409
/// problem); callers normally check the rule first and answer before this is ever thrown.
/// </summary>
public sealed class TransitionRefusedException(string code, string message) : InvalidOperationException(message)
{
    public string Code { get; } = code;
}
