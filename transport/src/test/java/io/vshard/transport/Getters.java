package io.vshard.transport;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Compares two contexts getter by getter: every public method without parameters a context class declares, except
 * {@code conclude}.
 */
public final class Getters
{
    private Getters()
    {
    }

    /**
     * The getters a class declares.
     *
     * @param type the context class.
     * @return the getter names, sorted.
     */
    public static List<String> names(final Class<?> type)
    {
        return new ArrayList<>(getters(type).keySet());
    }

    /**
     * The getters whose values differ.
     *
     * @param type the class whose declared getters are compared.
     * @param a    one context.
     * @param b    the other.
     * @return {@code name: a != b} per differing getter.
     */
    public static List<String> differences(final Class<?> type, final Object a, final Object b)
    {
        final List<String> differences = new ArrayList<>();
        for (final Method getter : getters(type).values())
        {
            final Object valueA = invoke(getter, a);
            final Object valueB = invoke(getter, b);
            if (!Objects.equals(valueA, valueB))
            {
                differences.add(getter.getName() + ": " + valueA + " != " + valueB);
            }
        }
        return differences;
    }

    private static TreeMap<String, Method> getters(final Class<?> type)
    {
        final TreeMap<String, Method> getters = new TreeMap<>();
        for (final Method method : type.getDeclaredMethods())
        {
            if (Modifier.isPublic(method.getModifiers()) && !Modifier.isStatic(method.getModifiers()) &&
                0 == method.getParameterCount() && void.class != method.getReturnType() &&
                !"conclude".equals(method.getName()))
            {
                getters.put(method.getName(), method);
            }
        }
        if (getters.isEmpty())
        {
            throw new IllegalStateException("no getters in " + type);
        }
        return getters;
    }

    private static Object invoke(final Method getter, final Object target)
    {
        try
        {
            return getter.invoke(target);
        }
        catch (final IllegalAccessException | InvocationTargetException ex)
        {
            throw new IllegalStateException(getter.getName(), ex);
        }
    }
}
