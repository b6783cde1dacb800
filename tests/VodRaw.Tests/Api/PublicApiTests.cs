using System.Reflection;
using System.Text;
using VodRaw.Tests.Support;

namespace VodRaw.Tests.Api;

/// <summary>
/// The public surface of each package, listed from reflection and compared with the baseline checked in beside the
/// project (<c>PublicAPI.txt</c>). A change to the public API shows in review as a change to that file. To accept one:
/// <c>VODRAW_UPDATE_PUBLIC_API=1 dotnet test --filter PublicApi</c>, and commit the file.
/// </summary>
public sealed class PublicApiTests
{
    [Theory]
    [InlineData("VodRaw", "src/VodRaw/PublicAPI.txt")]
    [InlineData("VodRaw.Emulator", "src/VodRaw.Emulator/PublicAPI.txt")]
    [InlineData("VodRaw.Extensions.DependencyInjection", "src/VodRaw.Extensions.DependencyInjection/PublicAPI.txt")]
    public void ThePublicApiMatchesItsBaseline(string assemblyName, string baseline)
    {
        var assembly = Assembly.Load(assemblyName);
        var listing = Listing(assembly);
        var path = Path.Combine(RepositoryRoot.Path, baseline);
        if (Environment.GetEnvironmentVariable("VODRAW_UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(path, listing);
        }

        Assert.True(File.Exists(path), $"{baseline} is missing: run with VODRAW_UPDATE_PUBLIC_API=1 to create it");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected != listing)
        {
            var want = expected.Split('\n').ToHashSet();
            var have = listing.Split('\n').ToHashSet();
            var added = have.Except(want).Select(l => "+ " + l);
            var removed = want.Except(have).Select(l => "- " + l);
            Assert.Fail($"The public API of {assemblyName} differs from {baseline}:\n{string.Join('\n', added.Concat(removed))}\n(accept with VODRAW_UPDATE_PUBLIC_API=1)");
        }
    }

    private static string Listing(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            lines.Add(Kind(type) + " " + Name(type) + Bases(type));
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var member in type.GetMembers(flags))
            {
                if (Describe(type, member) is { } line)
                {
                    lines.Add(Name(type) + "." + line);
                }
            }
        }

        lines.Sort(StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    private static string Kind(Type t) =>
        t.IsEnum ? "enum" : t.IsInterface ? "interface" : t.IsValueType ? "struct" : t.IsAbstract && t.IsSealed ? "static class" : t.IsSealed ? "sealed class" : t.IsAbstract ? "abstract class" : "class";

    private static string Bases(Type t)
    {
        var bases = new List<string>();
        if (t.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum))
        {
            bases.Add(Name(b));
        }

        bases.AddRange(t.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
        return bases.Count == 0 ? string.Empty : " : " + string.Join(", ", bases);
    }

    private static string? Describe(Type owner, MemberInfo member) => member switch
    {
        ConstructorInfo c => $".ctor({Parameters(c.GetParameters())})",
        MethodInfo m when m.IsSpecialName => null, // property and event accessors, operators come with their members
        MethodInfo m when m.Name is "<Clone>$" => null,
        MethodInfo m => $"{(m.IsStatic ? "static " : string.Empty)}{m.Name}{(m.IsGenericMethod ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : string.Empty)}({Parameters(m.GetParameters())}) -> {Name(m.ReturnType)}",
        PropertyInfo p => $"{(p.GetMethod?.IsStatic == true ? "static " : string.Empty)}{p.Name} : {Name(p.PropertyType)} {{{(p.GetMethod?.IsPublic == true ? " get;" : string.Empty)}{(p.SetMethod?.IsPublic == true ? (p.SetMethod.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit") ? " init;" : " set;") : string.Empty)} }}",
        FieldInfo f when owner.IsEnum && f.IsStatic => $"{f.Name} = {Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}",
        FieldInfo f when owner.IsEnum => null,
        FieldInfo f => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : string.Empty)}{(f.IsInitOnly ? "readonly " : string.Empty)}{f.Name} : {Name(f.FieldType)}{(f.IsLiteral ? " = " + f.GetRawConstantValue() : string.Empty)}",
        EventInfo e => $"event {e.Name} : {Name(e.EventHandlerType!)}",
        Type => null, // nested types are listed on their own
        _ => member.ToString(),
    };

    private static string Parameters(ParameterInfo[] parameters) =>
        string.Join(", ", parameters.Select(p => $"{(p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : string.Empty)}{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : string.Empty)}"));

    private static string Name(Type t)
    {
        if (t.IsByRef)
        {
            return Name(t.GetElementType()!);
        }

        if (Nullable.GetUnderlyingType(t) is { } inner)
        {
            return Name(inner) + "?";
        }

        if (t.IsArray)
        {
            return Name(t.GetElementType()!) + "[]";
        }

        var name = t.IsNested ? Name(t.DeclaringType!) + "." + t.Name : t.Namespace + "." + t.Name;
        if (t.IsGenericType)
        {
            name = name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", t.GetGenericArguments().Select(Name)) + ">";
        }

        return name;
    }
}
