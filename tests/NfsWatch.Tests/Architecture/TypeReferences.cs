using System.Reflection;
using System.Reflection.Emit;

namespace NfsWatch.Tests.Architecture;

/// <summary>
/// Every type a compiled type uses: in its signatures (base type, interfaces, fields, properties, parameters,
/// return types, generic arguments) and in the code of its methods (the type, method and field tokens of the IL),
/// its nested and compiler-generated types (lambdas, iterators, async state machines) included.
/// </summary>
public static class TypeReferences
{
    private static readonly Dictionary<short, OpCode> OpCodes = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static HashSet<Type> Of(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null) return;
            if (t.HasElementType) { Add(t.GetElementType()); return; }
            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                foreach (var a in t.GetGenericArguments()) Add(a);
                t = t.GetGenericTypeDefinition();
            }
            if (t.IsGenericParameter) return;
            found.Add(t);
        }
        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var f in type.GetFields(All)) Add(f.FieldType);
        foreach (var p in type.GetProperties(All)) Add(p.PropertyType);
        foreach (var m in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (m is MethodInfo mi) Add(mi.ReturnType);
            foreach (var p in m.GetParameters()) Add(p.ParameterType);
            foreach (var t in InBody(m)) Add(t);
        }
        foreach (var nested in type.GetNestedTypes(All)) found.UnionWith(Of(nested));
        return found;
    }

    /// <summary>The types named by the tokens of a method's IL.</summary>
    private static IEnumerable<Type> InBody(MethodBase method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException) { il = null; }
        if (il is null) yield break;
        var module = method.Module;
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int at = 0; at < il.Length;)
        {
            short value = il[at++];
            if (value == 0xfe && at < il.Length) value = unchecked((short)(0xfe00 | il[at++]));
            if (!OpCodes.TryGetValue(value, out var op)) yield break;
            int token = 0;
            switch (op.OperandType)
            {
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar: at += 1; break;
                case OperandType.InlineVar: at += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: at += 8; break;
                case OperandType.InlineSwitch: at += 4 + 4 * BitConverter.ToInt32(il, at); break;
                case OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok:
                    token = BitConverter.ToInt32(il, at);
                    at += 4;
                    break;
                default: at += 4; break;
            }
            if (token == 0) continue;
            MemberInfo? member;
            try { member = module.ResolveMember(token, typeArgs, methodArgs); }
            catch (Exception e) when (e is ArgumentException or BadImageFormatException or TypeLoadException or FileNotFoundException) { member = null; }
            switch (member)
            {
                case Type t: yield return t; break;
                case MethodBase m:
                    if (m.DeclaringType is { } owner) yield return owner;
                    if (m is MethodInfo mi) yield return mi.ReturnType;
                    foreach (var p in m.GetParameters()) yield return p.ParameterType;
                    break;
                case FieldInfo f:
                    if (f.DeclaringType is { } fieldOwner) yield return fieldOwner;
                    yield return f.FieldType;
                    break;
            }
        }
    }
}
