"""Channel adapters, one package per channel family, registered in ``registry``."""
