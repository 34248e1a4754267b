// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// ERC-20 "Livepeer Token" with a minimal role check for minting and burning.
contract LivepeerToken {
    bytes32 public constant DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    bytes32 public constant BURNER_ROLE = keccak256("BURNER_ROLE");

    string public constant name = "Livepeer Token";
    string public constant symbol = "LPT";
    uint8 public constant decimals = 18;

    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(bytes32 => mapping(address => bool)) private roles;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event Mint(address indexed to, uint256 amount);
    event Burn(address indexed burner, uint256 amount);
    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);

    constructor() {
        _setRole(DEFAULT_ADMIN_ROLE, msg.sender, true);
    }

    modifier onlyRole(bytes32 _role) {
        if (!roles[_role][msg.sender]) {
            revert(string.concat("AccessControl: account ", _hex(uint256(uint160(msg.sender)), 20), " is missing role ", _hex(uint256(_role), 32)));
        }
        _;
    }

    function hasRole(bytes32 _role, address _account) external view returns (bool) {
        return roles[_role][_account];
    }

    function grantRole(bytes32 _role, address _account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRole(_role, _account, true);
    }

    function revokeRole(bytes32 _role, address _account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRole(_role, _account, false);
    }

    function approve(address _spender, uint256 _value) external returns (bool) {
        allowance[msg.sender][_spender] = _value;
        emit Approval(msg.sender, _spender, _value);
        return true;
    }

    function transfer(address _to, uint256 _value) external returns (bool) {
        _move(msg.sender, _to, _value);
        return true;
    }

    function transferFrom(address _from, address _to, uint256 _value) external returns (bool) {
        uint256 allowed = allowance[_from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= _value, "ERC20: insufficient allowance");
            allowance[_from][msg.sender] = allowed - _value;
        }
        _move(_from, _to, _value);
        return true;
    }

    function mint(address _to, uint256 _amount) external onlyRole(MINTER_ROLE) {
        require(_to != address(0), "ERC20: mint to the zero address");
        totalSupply += _amount;
        balanceOf[_to] += _amount;
        emit Transfer(address(0), _to, _amount);
        emit Mint(_to, _amount);
    }

    function burn(uint256 _amount) external onlyRole(BURNER_ROLE) {
        _burn(msg.sender, _amount);
    }

    function burnFrom(address _from, uint256 _amount) external onlyRole(BURNER_ROLE) {
        uint256 allowed = allowance[_from][msg.sender];
        require(allowed >= _amount, "ERC20: insufficient allowance");
        allowance[_from][msg.sender] = allowed - _amount;
        _burn(_from, _amount);
    }

    function _burn(address _from, uint256 _amount) private {
        require(balanceOf[_from] >= _amount, "ERC20: burn amount exceeds balance");
        balanceOf[_from] -= _amount;
        totalSupply -= _amount;
        emit Transfer(_from, address(0), _amount);
        emit Burn(_from, _amount);
    }

    function _move(address _from, address _to, uint256 _value) private {
        require(_from != address(0), "ERC20: transfer from the zero address");
        require(_to != address(0), "ERC20: transfer to the zero address");
        require(balanceOf[_from] >= _value, "ERC20: transfer amount exceeds balance");
        balanceOf[_from] -= _value;
        balanceOf[_to] += _value;
        emit Transfer(_from, _to, _value);
    }

    function _setRole(bytes32 _role, address _account, bool _on) private {
        if (roles[_role][_account] == _on) return;
        roles[_role][_account] = _on;
        if (_on) emit RoleGranted(_role, _account, msg.sender);
        else emit RoleRevoked(_role, _account, msg.sender);
    }

    function _hex(uint256 _value, uint256 _bytes) private pure returns (string memory) {
        bytes memory out = new bytes(2 + _bytes * 2);
        out[0] = "0";
        out[1] = "x";
        bytes16 digits = "0123456789abcdef";
        for (uint256 i = 2 * _bytes + 1; i > 1; --i) {
            out[i] = digits[_value & 0xf];
            _value >>= 4;
        }
        return string(out);
    }
}
